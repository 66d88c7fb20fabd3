/**
 * The catalog starts as the seeds describe it (core/content/projects.ts). Prices the seeds do not state
 * are seeded as unconfirmed: such a key cannot be ordered until an administrator sets and confirms it.
 * 法人核验 is seeded as the seeds say; where they are silent (the 住建 projects, whose flow in seed 003
 * has no 法人核验 step) it starts off, and an administrator can switch it on.
 */
import { PROJECTS } from '../../../core/content/projects.js';
import type { Db } from '../../db/client.js';
import { catalogRepository } from './repository.js';

export async function seedCatalog(db: Db, now: Date): Promise<void> {
  if ((await catalogRepository.count(db)) >= PROJECTS.length) return;
  await db.transaction(async (tx) => {
    for (const [i, p] of PROJECTS.entries()) {
      await catalogRepository.insertProject(
        tx,
        {
          code: p.code,
          name: p.name,
          platform: p.platform,
          purpose: p.purpose,
          notFor: p.notFor,
          legalCheckRequired: p.legalPersonVerification ?? false,
          productionWorkingDays: p.productionWorkingDays,
          dualCertificates: p.dualCertificates,
          sortOrder: i,
          updatedAt: now,
        },
        p.keys.map((k) => ({
          projectCode: p.code,
          keyType: k.kind,
          withSeal: k.withSeal,
          priceFen: k.priceFen,
          priceConfirmed: !k.priceNeedsAdminConfirmation,
        })),
      );
    }
  });
}
