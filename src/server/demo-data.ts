/**
 * Development demo data: one staff account per role and one registered organization, so `npm start`
 * shows a working product at once. Never run in production (config refuses CERTDESK_DEMO_DATA there).
 * Passwords are fixed and printed at start — they are demo credentials, not secrets.
 */
import type { StaffRole } from '../core/schemas.js';
import { hashPassword } from './crypto.js';
import type { Db } from './db/client.js';
import { organizationRepository } from './modules/accounts/repository.js';
import { staffRepository } from './modules/staff/repository.js';
import { seedOffices } from './modules/counter/offices.js';
import { officeRepository } from './modules/counter/repository.js';

export const DEMO_STAFF: { username: string; displayName: string; roles: StaffRole[] }[] = [
  { username: 'admin', displayName: '演示管理员', roles: ['管理员'] },
  { username: 'yushen', displayName: '演示预审员', roles: ['预审'] },
  { username: 'shouli', displayName: '演示受理员', roles: ['受理'] },
  { username: 'zhizheng', displayName: '演示制证员', roles: ['制证'] },
  { username: 'fafang', displayName: '演示发放员', roles: ['发放'] },
  { username: 'caiwu', displayName: '演示财务', roles: ['财务'] },
  // 柜台业务 (issue 7): a clerk at 南昌办证大厅 who receives, checks, issues and takes payment at the counter.
  { username: 'guitai', displayName: '演示柜台员', roles: ['受理', '制证'] },
];
/** The office each demo staff member works at (counter work needs one); the others are back office. */
export const DEMO_STAFF_OFFICES: Record<string, string> = { guitai: 'nanchang-hall', shouli: 'nanchang-hall', zhizheng: 'nanchang-hall' };
export const DEMO_STAFF_PASSWORD = 'Demo2026staff';
export const DEMO_ORG = { uscc: '91360100MA35XQ7T6B', name: '江西演示科技有限公司', mobile: '13800138000', password: 'Demo2026org' };

export async function seedDemoData(db: Db, now: Date): Promise<{ created: boolean }> {
  if (await staffRepository.findByUsername(db, 'admin')) return { created: false };
  const staffHash = await hashPassword(DEMO_STAFF_PASSWORD);
  await seedOffices(db, now);
  for (const s of DEMO_STAFF) {
    const row = await staffRepository.insert(db, { ...s, passwordHash: staffHash, createdAt: now });
    const office = DEMO_STAFF_OFFICES[s.username];
    if (office && row) await officeRepository.setStaffOffice(db, row.id, office, row.id, now);
  }
  await organizationRepository.insert(db, {
    uscc: DEMO_ORG.uscc,
    name: DEMO_ORG.name,
    mobile: DEMO_ORG.mobile,
    passwordHash: await hashPassword(DEMO_ORG.password),
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return { created: true };
}
