/**
 * 受理点: the 12 offices of seed 004, seeded once from core/content/offices.ts (which the public site lists),
 * then kept by an administrator; and which office each staff member works at.
 */
import { OFFICES } from '../../../core/content/offices.js';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { staffRepository } from '../staff/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { officeRepository, type OfficeRow } from './repository.js';

export async function seedOffices(db: DbOrTx, at: Date): Promise<void> {
  await officeRepository.seed(
    db,
    OFFICES.map((o, i) => ({
      code: o.code,
      name: o.name,
      city: o.city,
      address: o.address,
      phones: o.phones,
      sortOrder: i + 1,
      updatedAt: at,
    })),
  );
}

/** The staff member's office, or a clear refusal: counter work is done at an office. */
export async function requireOffice(db: DbOrTx, actor: StaffActor): Promise<OfficeRow> {
  const office = await officeRepository.officeOfStaff(db, actor.id);
  if (!office) throw new AppError('FORBIDDEN', '您的账号尚未设置所属受理点，请联系管理员在“柜台业务 → 受理点与人员”中设置');
  if (!office.active) throw new AppError('FORBIDDEN', `受理点“${office.name}”已停用，不能办理柜台业务`);
  return office;
}

const telOf = (display: string) => display.replace(/-/g, '');

export async function updateOffice(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  code: string,
  input: { name: string; city: string; address: string; phones: string[]; active: boolean },
  meta: RequestMeta,
): Promise<OfficeRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const before = await officeRepository.get(tx, code);
    if (!before) throw new AppError('NOT_FOUND', '找不到该受理点');
    const after = await officeRepository.update(tx, code, {
      name: input.name,
      city: input.city,
      address: input.address,
      phones: input.phones.map((p) => ({ display: p, tel: telOf(p) })),
      active: input.active,
      updatedAt: now,
      updatedBy: actor.id,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'office.update',
      targetType: 'office',
      targetId: code,
      detail: { code, before: { name: before.name, address: before.address, active: before.active }, after: input },
      ip: meta.ip,
      at: now,
    });
    return after!;
  });
}

export async function setStaffOffice(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  staffId: string,
  officeCode: string | null,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const s = await staffRepository.findById(tx, staffId);
    if (!s) throw new AppError('NOT_FOUND', '找不到该工作人员');
    if (officeCode !== null && !(await officeRepository.get(tx, officeCode)))
      throw new AppError('VALIDATION_FAILED', '请选择受理点', { fields: { officeCode: '请选择列表中的受理点' } });
    await officeRepository.setStaffOffice(tx, staffId, officeCode, actor.id, now);
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'office.assign_staff',
      targetType: 'staff',
      targetId: staffId,
      detail: { username: s.username, officeCode },
      ip: meta.ip,
      at: now,
    });
  });
}
