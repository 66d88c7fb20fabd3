/**
 * The one workflow engine: applies a row of any transition table (core/transitions.ts) to the record it
 * moves — an online order (orders/order-workflow.ts) or a counter order (counter/counter-workflow.ts). Inside
 * the caller's transaction, after the caller has locked the record: checks the row exists for the record's
 * status and the actor may take it, runs the row's guard, changes the status compare-and-set, and writes the
 * record's event row and the audit row. A double click or two staff at once change state once; the loser gets
 * a clear message and nothing of the step is written. No caller writes a step's event or audit row by hand.
 */
import { actorMay, type Actor, type TransitionRow } from '../../../core/transitions.js';
import { AppError } from '../../../core/errors.js';
import type { StaffRole } from '../../../core/schemas.js';
import type { Tx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';

/** Who takes the step, with the id the event and the audit row name (null: the system on its own). */
export type ActingParty = Actor & { id: string | null };

/** A staff member as the engine sees one. */
export const staffParty = (a: { id: string; roles: readonly StaffRole[] }): ActingParty => ({ kind: 'staff', roles: a.roles, id: a.id });

export interface WorkflowRecord {
  id: string;
  status: string;
}

/** A step as the record's event table stores it. */
export interface StepEvent<A extends string> {
  recordId: string;
  actor: ActingParty;
  action: A;
  from: string;
  to: string;
  reason: string | null;
  detail: Record<string, unknown>;
  /** Shown to the applicant (online orders keep staff-only notes apart). */
  public: boolean;
  at: Date;
}

/** A transition table bound to the records it moves and the tables that store them. */
export interface Workflow<R extends WorkflowRecord, A extends string, T extends TransitionRow<string, A>, S = Partial<R>> {
  /** The audit row's action is `${name}.${action}`. */
  name: string;
  /** The audit row's target type. */
  targetType: string;
  /** The row for this action on this record (its status; the counter also its key type), whoever asks. */
  row(record: R, action: A): T | undefined;
  /** No row for the record's status; a row this actor may not take; the compare-and-set lost. */
  refusals: { conflict(record: R): string; forbidden(row: T): string; stale: string };
  /** Why the row cannot be applied now (Chinese), or null; runs inside the transaction. */
  guard?(tx: Tx, record: R, row: T): Promise<string | null>;
  /** UPDATE … SET status = to WHERE id = … AND status = from; undefined when the status had moved on. */
  move(tx: Tx, record: R, to: string, at: Date, set: S): Promise<R | undefined>;
  writeEvent(tx: Tx, e: StepEvent<A>): Promise<void>;
  /** What names the record in its audit row (its number). */
  auditName(record: R): Record<string, unknown>;
}

export interface StepOptions<S> {
  /** Typed by staff (a rejection, a cancellation): on the event and the audit row. */
  reason?: string | null;
  /** The event's detail. */
  detail?: Record<string, unknown>;
  /** The audit row's detail beyond the record's name, from, to and reason; the event's detail if not given. */
  audit?: Record<string, unknown>;
  /** Columns changed with the status, in the same UPDATE. */
  set?: S;
  /** The request's address, for the audit row (null for the system). */
  ip?: string | null;
  /** False for an event the applicant does not see. */
  publicEvent?: boolean;
}

const AUDIT_ACTOR = { applicant: 'org', staff: 'staff', system: 'system' } as const;

/** The row this actor may take now; else the error applyTransition would throw. */
export function checkTransition<R extends WorkflowRecord, A extends string, T extends TransitionRow<string, A>, S>(
  wf: Workflow<R, A, T, S>,
  record: R,
  action: A,
  actor: Actor,
): T {
  const row = wf.row(record, action);
  if (!row) throw new AppError('CONFLICT', wf.refusals.conflict(record));
  if (!actorMay(row.by, actor)) throw new AppError('FORBIDDEN', wf.refusals.forbidden(row));
  return row;
}

export async function applyTransition<R extends WorkflowRecord, A extends string, T extends TransitionRow<string, A>, S>(
  wf: Workflow<R, A, T, S>,
  tx: Tx,
  record: R,
  action: A,
  actor: ActingParty,
  at: Date,
  opts: StepOptions<S> = {},
): Promise<R> {
  const row = checkTransition(wf, record, action, actor);
  const refusal = await wf.guard?.(tx, record, row);
  if (refusal) throw new AppError('CONFLICT', refusal);
  const moved = await wf.move(tx, record, row.to, at, opts.set ?? ({} as S));
  if (!moved) throw new AppError('CONFLICT', wf.refusals.stale);
  const reason = opts.reason ?? null;
  await wf.writeEvent(tx, {
    recordId: record.id,
    actor,
    action,
    from: record.status,
    to: row.to,
    reason,
    detail: opts.detail ?? {},
    public: opts.publicEvent ?? true,
    at,
  });
  await auditRepository.record(tx, {
    actorType: AUDIT_ACTOR[actor.kind],
    actorId: actor.id,
    action: `${wf.name}.${action}`,
    targetType: wf.targetType,
    targetId: record.id,
    detail: {
      ...wf.auditName(record),
      from: record.status,
      to: row.to,
      ...(reason ? { reason } : {}),
      ...(opts.audit ?? opts.detail ?? {}),
    },
    ip: opts.ip ?? null,
    at,
  });
  return moved;
}
