/**
 * 纸质资料收件信息 (系统设置, 管理员): where applicants mail the paper originals — shown on the order page, after
 * payment, in the 付款成功 SMS and on the printable 邮寄资料清单. The default (core/paper-checklist.ts, from
 * seed 004) holds until an administrator saves one; every change is audited with its before and after.
 */
import { DEFAULT_PAPER_ADDRESS, ZPaperAddress, type PaperAddress } from '../../../core/paper-checklist.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { staffRepository } from '../staff/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { settingsRepository } from './repository.js';

const KEY = 'paper_address';

/** The address in force. A stored value that no longer passes the rules (edited by hand) falls back to the default. */
export async function paperAddress(db: DbOrTx): Promise<PaperAddress> {
  const row = await settingsRepository.find(db, KEY);
  const parsed = row ? ZPaperAddress.safeParse(row.value) : null;
  return parsed?.success ? parsed.data : DEFAULT_PAPER_ADDRESS;
}

/** What the administrator's page shows: the address, whether it is still the default, and who set it when. */
export async function paperAddressSetting(db: DbOrTx) {
  const row = await settingsRepository.find(db, KEY);
  const by = row?.updatedBy ? await staffRepository.findById(db, row.updatedBy) : undefined;
  return {
    address: await paperAddress(db),
    defaultAddress: DEFAULT_PAPER_ADDRESS,
    isDefault: !row,
    updatedAt: row?.updatedAt ?? null,
    updatedBy: by?.displayName ?? null,
  };
}

export async function updatePaperAddress(
  deps: { db: Db; clock: Clock },
  input: PaperAddress,
  actor: StaffActor,
  meta: RequestMeta,
): Promise<void> {
  const value = ZPaperAddress.parse(input);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await settingsRepository.lock(tx, KEY);
    const before = await paperAddress(tx);
    await settingsRepository.put(tx, { key: KEY, value, updatedAt: now, updatedBy: actor.id });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'settings.paper_address_update',
      targetType: 'setting',
      targetId: KEY,
      detail: { before, after: value },
      ip: meta.ip,
      at: now,
    });
  });
}

/** The 付款成功 SMS's variables: three, each within one Aliyun template variable (≤ 35 characters). */
export const paperAddressSmsParams = (a: PaperAddress) => ({ mailAddress: a.address, mailRecipient: a.recipient, mailPhone: a.phone });
