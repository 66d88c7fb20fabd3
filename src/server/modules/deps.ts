/** What use cases receive: repositories take the db handle; time and side doors are injected. */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { CaptchaService } from './captcha/captcha.js';
import type { Throttle } from './throttle/throttle.js';

export interface UseCaseDeps {
  db: Db;
  clock: Clock;
  config: Config;
  captcha: CaptchaService;
  throttle: Throttle;
}

/** Where a request came from, for audit rows and per-address throttling. */
export interface RequestMeta {
  ip: string;
}
