/** The configured payment providers (WeChat Pay, Alipay, or the sandbox speaking both protocols). */
import { paymentProvidersFor } from '../../adapters/payment/configured.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Providers } from './payments.js';

export function paymentProviders(config: Config, deps: { db: Db; clock: Clock }): Providers {
  return paymentProvidersFor(config, deps);
}
