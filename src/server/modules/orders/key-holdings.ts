import type { KeyHoldings } from '../../../core/requirements.js';
import type { DbOrTx } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { certificateRepository } from '../certificates/repository.js';
import { counterRepository } from '../counter/repository.js';
import { orderRepository } from './repository.js';

/**
 * What the organization holds for a project, for the main/sub rule, from two sources:
 * - its online orders: a main-key order that reached 制证完成 or 已发放 is a held key; any other that is not
 *   deleted or cancelled is in progress;
 * - the certificate registry: an issued main-key certificate, not revoked and not expired — including those
 *   staff imported from the office's records (issued before go-live), matched by USCC because they may
 *   predate the organization's account;
 * - its counter orders (issue 7): a counter 新办 of a main key not yet issued is in progress (once issued,
 *   the registry counts it; 补办/变更/续费 replace a key the organization already holds).
 */
export async function keyHoldings(db: DbOrTx, organizationId: string, projectCode: string, now = new Date()): Promise<KeyHoldings> {
  const mains = await orderRepository.mainKeyOrdersInProgress(db, organizationId, projectCode);
  const org = await organizationRepository.findById(db, organizationId);
  const registered = org ? await certificateRepository.heldKeys(db, { organizationId, uscc: org.uscc, projectCode, now }) : [];
  const atCounter = await counterRepository.mainKeyOrdersInProgress(db, organizationId, projectCode);
  return {
    mainKeyHeld: mains.some((o) => o.status === 'produced' || o.status === 'shipped') || registered.some((c) => c.keyType === 'main'),
    mainKeyInProgress: mains.some((o) => o.status !== 'produced' && o.status !== 'shipped') || atCounter.length > 0,
  };
}
