/** How the counter shows an organization: the one summary the lookup, the registration and the order page send. */
import { maskMobile } from '../../../core/mobile.js';
import type { OrganizationRow } from '../accounts/repository.js';

/** The password hash of an organization registered at a counter: no password logs in until it is claimed. */
export const UNCLAIMED = 'counter:unclaimed';

export function orgSummary(o: OrganizationRow) {
  return { id: o.id, uscc: o.uscc, name: o.name, mobileMasked: maskMobile(o.mobile), claimed: o.passwordHash !== UNCLAIMED };
}
