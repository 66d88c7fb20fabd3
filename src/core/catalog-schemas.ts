/** Response shapes of 证书项目管理 (server/routes/staff-catalog.ts): the catalog as an administrator edits it. */
import { z } from 'zod';
import { ZKeyType } from './orders-schemas.js';
import { ZInstant, type JsonOf } from './response.js';

export const ZStaffProject = z.object({
  code: z.string(),
  name: z.string(),
  platform: z.string(),
  purpose: z.string(),
  notFor: z.string().nullable(),
  legalCheckRequired: z.boolean(),
  productionWorkingDays: z.number(),
  /** Which CA family issues this project's certificates. */
  certFamily: z.enum(['sm2', 'ecdsa', 'rsa']),
  /** Whether 制证 issues an SM2 pair, signing + encryption (docs/kmc.md). */
  dualCertificates: z.boolean(),
  active: z.boolean(),
  sortOrder: z.number(),
  updatedAt: ZInstant,
  updatedBy: z.string().nullable(),
  keys: z.array(
    z.object({
      projectCode: z.string(),
      keyType: ZKeyType,
      withSeal: z.boolean(),
      priceFen: z.number().nullable(),
      /** False while a seeded price is a placeholder the seeds did not state: such a key cannot be ordered. */
      priceConfirmed: z.boolean(),
      active: z.boolean(),
    }),
  ),
});
export type StaffProject = JsonOf<typeof ZStaffProject>;
export const ZStaffCatalog = z.object({ items: z.array(ZStaffProject) });
export type StaffCatalog = JsonOf<typeof ZStaffCatalog>;
/** After an edit: the project as now stored (null if it vanished meanwhile). */
export const ZStaffProjectSaved = z.object({ project: ZStaffProject.nullable() });
