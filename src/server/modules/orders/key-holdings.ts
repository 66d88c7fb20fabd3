import type { KeyHoldings } from '../../../core/requirements.js';
import type { DbOrTx } from '../../db/client.js';
import { orderRepository } from './repository.js';

/**
 * What the organization holds for a project, for the main/sub rule. An online main-key order that reached
 * 制证完成 or 已发放 is a held key; any other that is not deleted or cancelled is in progress.
 * Keys issued at an office enter through the certificate registry (the CA and counter issues) and will be
 * added here as a second source.
 */
export async function keyHoldings(db: DbOrTx, organizationId: string, projectCode: string): Promise<KeyHoldings> {
  const mains = await orderRepository.mainKeyOrdersInProgress(db, organizationId, projectCode);
  return {
    mainKeyHeld: mains.some((o) => o.status === 'produced' || o.status === 'shipped'),
    mainKeyInProgress: mains.some((o) => o.status !== 'produced' && o.status !== 'shipped'),
  };
}
