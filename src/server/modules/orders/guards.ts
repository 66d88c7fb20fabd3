/**
 * The checks behind the workflow table's guards (core/workflow.ts `TransitionGuard`): each answers why the
 * row cannot be applied to this order now (Chinese), or null. The workflow engine runs the row's guard inside the
 * caller's transaction, after the order row is locked; the staff order view runs it to explain a greyed action.
 */
import type { TransitionGuard } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { sealsNotReady } from '../seals/readiness.js';
import type { OrderRow } from './repository.js';

export const TRANSITION_GUARDS: Record<TransitionGuard, (db: DbOrTx, order: OrderRow) => Promise<string | null>> = {
  seals_ready: sealsNotReady,
};

export async function guardRefusal(db: DbOrTx, order: OrderRow, guard: TransitionGuard | undefined): Promise<string | null> {
  return guard ? TRANSITION_GUARDS[guard](db, order) : null;
}
