import type { KeyHoldings } from '../../../core/requirements.js';
import type { DbOrTx } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { certificateRepository } from './repository.js';

/**
 * What the organization holds for a project, for the main/sub rule, from three sources:
 * - its online orders: a main-key order that reached 制证完成 or 已发放 is a held key; any other that is not
 *   deleted or cancelled is in progress;
 * - the certificate registry: an issued main-key certificate, not revoked and not expired — including those
 *   staff imported from the office's records (issued before go-live), matched by USCC because they may
 *   predate the organization's account;
 * - its counter orders (issue 7): a counter 新办 of a main key not yet issued is in progress (once issued,
 *   the registry counts it; 补办/变更/续费 replace a key the organization already holds).
 * It lives with the registry (issue 18 item 5): online and counter orders both ask it, and it depends on neither.
 */
export async function keyHoldings(db: DbOrTx, organizationId: string, projectCode: string, now = new Date()): Promise<KeyHoldings> {
  const { online, atCounter } = await certificateRepository.mainKeyOrders(db, organizationId, projectCode);
  const org = await organizationRepository.findById(db, organizationId);
  const registered = org ? await certificateRepository.heldKeys(db, { organizationId, uscc: org.uscc, projectCode, now }) : [];
  return {
    mainKeyHeld: online.some((o) => o.status === 'produced' || o.status === 'shipped') || registered.some((c) => c.keyType === 'main'),
    mainKeyInProgress: online.some((o) => o.status !== 'produced' && o.status !== 'shipped') || atCounter.length > 0,
  };
}
