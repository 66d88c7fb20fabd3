/**
 * What every workflow table has in common (the online order's, core/workflow.ts; the counter's,
 * core/counter.ts): a row is one status change — from, action, to, the button's label and who may take it.
 * The server applies any table's rows through one engine (server/modules/workflow/engine.ts), and the staff
 * routes that take a row read their roles from the table (`rolesFor`), so who may do what is written once.
 */
import type { StaffRole } from './schemas.js';

/** Who may take a row: the applicant, staff holding one of these roles, or the system (payments, jobs). */
export type TakenBy = 'applicant' | 'system' | readonly StaffRole[];

export interface TransitionRow<S extends string = string, A extends string = string> {
  from: S;
  action: A;
  to: S;
  /** The button text people see. */
  label: string;
  by: TakenBy;
}

export type Actor = { kind: 'applicant' } | { kind: 'staff'; roles: readonly StaffRole[] } | { kind: 'system' };

/** Whether this actor may take a row taken by `by`. 管理员 is not a wildcard: it must be listed. */
export function actorMay(by: TakenBy, actor: Actor): boolean {
  if (by === 'applicant') return actor.kind === 'applicant';
  if (by === 'system') return actor.kind === 'system';
  return actor.kind === 'staff' && by.some((r) => actor.roles.includes(r));
}

/**
 * The staff roles that may take any of these actions, for the `staffAccess` of the route that takes them.
 * An action no staff row has is a mistake in the route (its route would be closed to everyone), so it throws
 * when the routes are built rather than answering 403 at run time.
 */
export function rolesFor<A extends string>(table: readonly TransitionRow<string, A>[], ...actions: A[]): readonly StaffRole[] {
  const roles = new Set<StaffRole>();
  for (const a of actions) {
    const rows = table.filter((t) => t.action === a && Array.isArray(t.by));
    if (!rows.length) throw new Error(`no staff row takes '${a}'`);
    for (const t of rows) for (const r of t.by as readonly StaffRole[]) roles.add(r);
  }
  return [...roles];
}
