/**
 * Response shapes of counter business (server/routes/counter.ts; requests: core/counter-schemas.ts): answers are
 * encoded with them and the counter pages' types are inferred from them (JsonOf: dates as ISO text).
 */
import { z } from 'zod';
import { COUNTER_BUSINESSES } from './counter.js';
import { ZProducedCertificate } from './certificates-schemas.js';
import { ZKeyType } from './orders-schemas.js';
import { ZInstant, type JsonOf } from './response.js';
import { ZStaffRole } from './schemas.js';

const ZCodeLabel = z.object({ code: z.string(), label: z.string() });
const ZBusiness = z.enum(COUNTER_BUSINESSES);

export const ZMaterial = z.object({ code: z.string(), label: z.string(), group: z.string().optional() });
export type Material = JsonOf<typeof ZMaterial>;

/** GET /api/staff/counter/meta: the caller's office, the offices, business types, materials, pay channels. */
export const ZCounterMeta = z.object({
  myOffice: z.object({ code: z.string(), name: z.string(), active: z.boolean() }).nullable(),
  offices: z.array(z.object({ code: z.string(), name: z.string(), city: z.string(), active: z.boolean() })),
  businesses: z.array(z.object({ code: ZBusiness, label: z.string() })),
  /** By business, by key type. */
  materials: z.record(z.string(), z.object({ main: z.array(ZMaterial), sub: z.array(ZMaterial) })),
  payChannels: z.array(ZCodeLabel),
  /** By business: the CRL reasons a replaced certificate may be revoked with. */
  revocationReasons: z.record(z.string(), z.array(z.object({ code: z.number(), label: z.string() }))),
  roles: z.array(ZStaffRole),
});
export type CounterMeta = JsonOf<typeof ZCounterMeta>;

export const ZOffice = z.object({
  code: z.string(),
  name: z.string(),
  city: z.string(),
  address: z.string(),
  phones: z.array(z.object({ display: z.string(), tel: z.string() })),
  active: z.boolean(),
  sortOrder: z.number(),
  updatedAt: ZInstant,
  updatedBy: z.string().nullable(),
});
export type Office = JsonOf<typeof ZOffice>;
export const ZOffices = z.object({
  offices: z.array(ZOffice),
  staff: z.array(
    z.object({
      id: z.string(),
      username: z.string(),
      displayName: z.string(),
      roles: z.array(z.string()),
      officeCode: z.string().nullable(),
    }),
  ),
});
export type Offices = JsonOf<typeof ZOffices>;

export const ZCounterOrganization = z.object({
  id: z.string(),
  uscc: z.string(),
  name: z.string(),
  mobileMasked: z.string(),
  /** The unit has set a password online (an organization registered at the counter has none until then). */
  claimed: z.boolean(),
});

/** GET /api/staff/counter/organizations: the unit, its certificates an order may replace, its key choices. */
export const ZOrgLookup = z.object({
  organization: ZCounterOrganization.nullable(),
  certificates: z.array(
    z.object({
      id: z.string(),
      serial: z.string(),
      projectCode: z.string(),
      projectName: z.string(),
      keyType: ZKeyType,
      source: z.string(),
      notBefore: ZInstant,
      notAfter: ZInstant,
      expired: z.boolean(),
    }),
  ),
  keyChoices: z.array(
    z.object({
      projectCode: z.string(),
      projectName: z.string(),
      allowed: z.array(ZKeyType),
      reason: z.string(),
      prices: z.record(z.string(), z.number().nullable()),
    }),
  ),
  counterOrders: z.array(
    z.object({
      id: z.string(),
      orderNo: z.string(),
      business: ZBusiness,
      businessLabel: z.string(),
      status: z.string(),
      statusLabel: z.string(),
      createdAt: ZInstant,
    }),
  ),
});
export type OrgLookup = JsonOf<typeof ZOrgLookup>;

/** The answer of a step (open, tick, act, pay): where the order is now. */
export const ZCounterStep = z.object({
  order: z.object({ id: z.string(), orderNo: z.string(), status: z.string(), statusLabel: z.string() }),
});
export const ZCounterProduced = ZCounterStep.extend(ZProducedCertificate.shape);
export type CounterProduced = JsonOf<typeof ZCounterProduced>;

const ZCertSummary = z.object({
  id: z.string(),
  serial: z.string(),
  status: z.string(),
  notBefore: ZInstant,
  notAfter: ZInstant,
  revokedAt: ZInstant.nullable(),
  revocationReason: z.number().nullable(),
  revocationReasonLabel: z.string().nullable(),
  replacesId: z.string().nullable(),
  unitName: z.string(),
});
export type CertSummary = JsonOf<typeof ZCertSummary>;

/** GET /api/staff/counter/orders/:id: the counter order page. */
export const ZCounterView = z.object({
  order: z.object({
    id: z.string(),
    orderNo: z.string(),
    officeCode: z.string(),
    business: ZBusiness,
    businessLabel: z.string(),
    organizationId: z.string(),
    uscc: z.string(),
    unitName: z.string(),
    newUnitName: z.string().nullable(),
    projectCode: z.string(),
    projectName: z.string(),
    keyType: ZKeyType,
    keyTypeLabel: z.string(),
    replacesCertificateId: z.string().nullable(),
    revocationReason: z.number().nullable(),
    revocationReasonLabel: z.string().nullable(),
    agentName: z.string(),
    agentMobile: z.string(),
    status: z.string(),
    statusLabel: z.string(),
    step: z.number(),
    steps: z.array(z.string()).readonly(),
    /** Ticked materials: when and by whom. */
    materials: z.record(z.string(), z.object({ at: z.string(), by: z.string() })),
    certificateId: z.string().nullable(),
    revocationRequestId: z.string().nullable(),
    openedBy: z.string(),
    createdAt: ZInstant,
    statusChangedAt: ZInstant,
    updatedAt: ZInstant,
  }),
  organization: ZCounterOrganization.nullable(),
  office: z.object({ code: z.string(), name: z.string() }).nullable(),
  materials: z.array(
    ZMaterial.extend({
      ticked: z.boolean(),
      scan: z.object({ id: z.string(), uploadedAt: ZInstant, originalName: z.string(), width: z.number(), height: z.number() }).nullable(),
    }),
  ),
  missing: z.array(z.string()),
  priceFen: z.number().nullable(),
  payment: z
    .object({
      id: z.string(),
      counterOrderId: z.string(),
      officeCode: z.string(),
      channel: z.string(),
      channelName: z.string(),
      amountFen: z.number(),
      receiptNo: z.string(),
      paidAt: ZInstant,
      recordedBy: z.string(),
    })
    .nullable(),
  certificate: ZCertSummary.nullable(),
  replaced: ZCertSummary.nullable(),
  /** What the certificate runs to and why (core/certificate-validity.ts); `planned`: not issued yet, as if issued now. */
  validity: z.object({
    notBefore: ZInstant,
    notAfter: ZInstant,
    basis: z.enum(['fresh', 'extended', 'kept']),
    basisText: z.string(),
    planned: z.boolean(),
  }),
  revocationRequest: z
    .object({ id: z.string(), status: z.enum(['pending', 'approved', 'refused']), requestedAt: ZInstant, decidedAt: ZInstant.nullable() })
    .nullable(),
  actions: z.array(z.object({ action: z.string(), label: z.string(), needsReason: z.boolean() })),
  events: z.array(
    z.object({
      id: z.number(),
      counterOrderId: z.string(),
      actorId: z.string().nullable(),
      actorName: z.string().nullable(),
      action: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string().nullable(),
      reason: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
      at: ZInstant,
    }),
  ),
});
export type CounterView = JsonOf<typeof ZCounterView>;

export const ZCounterScan = z.object({
  scan: z.object({ id: z.string(), material: z.string(), uploadedAt: ZInstant, originalName: z.string() }),
});

const ZDailyLine = z.object({
  id: z.string(),
  orderNo: z.string(),
  business: ZBusiness,
  businessLabel: z.string(),
  unitName: z.string(),
  uscc: z.string(),
  projectCode: z.string(),
  keyType: ZKeyType,
  agentName: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  createdAt: ZInstant,
  statusChangedAt: ZInstant,
  payment: z.object({ channel: z.string(), channelName: z.string(), amountFen: z.number(), receiptNo: z.string() }).nullable(),
});
export type DailyLine = JsonOf<typeof ZDailyLine>;

/** GET /api/staff/counter/daily: one office's day, and the orders opened earlier still open. */
export const ZDailyReport = z.object({
  office: z.object({ code: z.string(), name: z.string() }),
  myOffice: z.object({ code: z.string(), name: z.string() }).nullable(),
  canChooseOffice: z.boolean(),
  day: z.string(),
  orders: z.array(ZDailyLine),
  openEarlier: z.array(ZDailyLine),
  totals: z.object({
    byBusiness: z.array(
      z.object({ business: z.string(), label: z.string(), opened: z.number(), completed: z.number(), cancelled: z.number() }),
    ),
    byChannel: z.array(z.object({ channel: z.string(), label: z.string(), count: z.number(), amountFen: z.number() })),
    opened: z.number(),
    paidCount: z.number(),
    paidFen: z.number(),
  }),
});
export type Daily = JsonOf<typeof ZDailyReport>;
