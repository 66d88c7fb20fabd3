/** 柜台业务（现场办理）: offices, organization lookup/registration, counter orders through the seed 004 flow, daily lists. */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZProduceBody } from '../../core/certificates.js';
import {
  BUSINESS_LABEL,
  COUNTER_CLERKS,
  COUNTER_PAY_CHANNELS,
  COUNTER_REVIEWERS,
  COUNTER_STATUS_LABEL,
  COUNTER_TRANSITIONS,
  COUNTER_VIEWERS,
  REPLACEMENT_REVOCATION,
  counterMaterials,
  type CounterBusiness,
  type CounterStatus,
} from '../../core/counter.js';
import {
  ZCounterActionBody,
  ZCounterOpenBody,
  ZCounterOrgBody,
  ZCounterPayBody,
  ZMaterialsBody,
  ZOfficeBody,
  ZStaffOfficeBody,
} from '../../core/counter-schemas.js';
import {
  ZCounterMeta,
  ZCounterProduced,
  ZCounterScan,
  ZCounterStep,
  ZCounterView,
  ZDailyReport,
  ZOffice,
  ZOffices,
  ZOrgLookup,
  ZCounterOrganization,
} from '../../core/counter-response-schemas.js';
import { ZOk } from '../../core/orders-schemas.js';
import { revocationReasonLabel } from '../../core/revocation-reasons.js';
import type { StaffRole } from '../../core/schemas.js';
import { rolesFor } from '../../core/transitions.js';
import { ZUscc } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import type { StaffActor } from '../modules/staff/staff-accounts.js';
import type { Db } from '../db/client.js';
import type { FileStore } from '../adapters/storage/port.js';
import { actOnCounterOrder } from '../modules/counter/act-on-order.js';
import type { CounterDeps } from '../modules/counter/counter-access.js';
import { lookupOrganization, viewCounterOrder } from '../modules/counter/counter-queries.js';
import { openCounterOrder } from '../modules/counter/open-order.js';
import { payAtCounter } from '../modules/counter/pay-at-counter.js';
import { registerOrganizationAtCounter } from '../modules/counter/register-organization.js';
import { tickMaterials } from '../modules/counter/tick-materials.js';
import { dailyList } from '../modules/counter/daily.js';
import { seedOffices, setStaffOffice, updateOffice } from '../modules/counter/offices.js';
import { produceAtCounter } from '../modules/counter/produce.js';
import { officeRepository, type CounterOrderRow } from '../modules/counter/repository.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';
import { producedCertificateReply } from './produced-certificate.js';
import { sendImage } from './send-image.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { MULTIPART_LIMITS, readUploadedFile } from '../modules/documents/read-upload.js';
import { readScan, uploadScan } from '../modules/counter/scans.js';

const ADMIN = ['管理员'] as const satisfies readonly StaffRole[];
const ZId = z.object({ id: z.string({ error: '业务编号格式不正确' }).uuid('业务编号格式不正确') });
const ZCode = z.object({ code: z.string().max(64, '受理点编号不正确') });
const ZDaily = z.object({
  office: z.string().max(64, '受理点编号不正确').optional(),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(d)), '日期不正确')
    .optional(),
});
const ZAct = z.object({
  id: ZId.shape.id,
  action: z.enum(['accept', 'approve', 'return', 'cancel', 'seal', 'finish'], { error: '没有这个操作' }),
});

const stepResult = (o: CounterOrderRow) => ({
  order: { id: o.id, orderNo: o.orderNo, status: o.status, statusLabel: COUNTER_STATUS_LABEL[o.status as CounterStatus] },
});

/** The scope's app with the zod type provider: the area functions below each register theirs on it. */
type CounterApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
const tags = ['工作人员'];

/** What the counter pages need before anything else: this person's office, the offices, the lists from core/counter.ts. */
async function counterMeta(db: Db, me: StaffActor) {
  const mine = await officeRepository.officeOfStaff(db, me.id);
  return {
    myOffice: mine ? { code: mine.code, name: mine.name, active: mine.active } : null,
    offices: (await officeRepository.list(db)).map((o) => ({ code: o.code, name: o.name, city: o.city, active: o.active })),
    businesses: Object.entries(BUSINESS_LABEL).map(([code, label]) => ({ code: code as CounterBusiness, label })),
    materials: Object.fromEntries(
      Object.keys(BUSINESS_LABEL).map((b) => [b, { main: counterMaterials(b as never, 'main'), sub: counterMaterials(b as never, 'sub') }]),
    ),
    payChannels: Object.entries(COUNTER_PAY_CHANNELS).map(([code, label]) => ({ code, label })),
    revocationReasons: Object.fromEntries(
      Object.entries(REPLACEMENT_REVOCATION).map(([b, codes]) => [b, codes.map((code) => ({ code, label: revocationReasonLabel(code) }))]),
    ),
    roles: me.roles,
  };
}

function metaRoute(app: CounterApp, db: Db) {
  app.get(
    '/api/staff/counter/meta',
    {
      config: { staffAccess: COUNTER_VIEWERS },
      schema: { tags, summary: '柜台业务：我的受理点、受理点列表、业务类型、资料清单、缴费方式', response: { 200: ZCounterMeta } },
    },
    async (req) => counterMeta(db, staffActor(req)),
  );
}

/** 受理点 and who works at which (管理员). */
function officeRoutes(app: CounterApp, deps: CounterDeps) {
  const { db } = deps;
  app.get(
    '/api/staff/counter/offices',
    { config: { staffAccess: ADMIN }, schema: { tags, summary: '受理点与人员（管理员）', response: { 200: ZOffices } } },
    async () => ({
      offices: await officeRepository.list(db),
      staff: await officeRepository.staffWithOffices(db),
    }),
  );
  app.post(
    '/api/staff/counter/offices/:code',
    {
      config: { staffAccess: ADMIN },
      schema: {
        tags,
        summary: '修改受理点（管理员）',
        params: ZCode,
        body: ZOfficeBody,
        response: { 200: z.object({ office: ZOffice }) },
      },
    },
    async (req) => ({ office: await updateOffice(deps, staffActor(req), req.params.code, req.body, metaOf(req)) }),
  );
  app.post(
    '/api/staff/counter/staff/:id/office',
    {
      config: { staffAccess: ADMIN },
      schema: { tags, summary: '设置工作人员所属受理点（管理员）', params: ZId, body: ZStaffOfficeBody, response: { 200: ZOk } },
    },
    async (req) => {
      await setStaffOffice(deps, staffActor(req), req.params.id, req.body.officeCode, metaOf(req));
      return { ok: true };
    },
  );
}

/** 查询申请单位 and 登记申请单位. */
function organizationRoutes(app: CounterApp, deps: CounterDeps) {
  app.get(
    '/api/staff/counter/organizations',
    {
      config: { staffAccess: COUNTER_CLERKS },
      schema: {
        tags,
        summary: '按统一社会信用代码查询申请单位（柜台）',
        querystring: z.object({ uscc: ZUscc }),
        response: { 200: ZOrgLookup },
      },
    },
    async (req) => lookupOrganization(deps, staffActor(req), req.query.uscc, metaOf(req)),
  );
  app.post(
    '/api/staff/counter/organizations',
    {
      config: { staffAccess: COUNTER_CLERKS },
      schema: {
        tags,
        summary: '柜台登记申请单位（无密码，单位可凭注册手机号在线找回）',
        body: ZCounterOrgBody,
        response: { 200: z.object({ organization: ZCounterOrganization }) },
      },
    },
    async (req) => ({ organization: await registerOrganizationAtCounter(deps, staffActor(req), req.body, metaOf(req)) }),
  );
}

/** Opening a counter order, its page, and its materials checklist. */
function orderRoutes(app: CounterApp, deps: CounterDeps) {
  app.post(
    '/api/staff/counter/orders',
    {
      config: { staffAccess: COUNTER_CLERKS },
      schema: {
        tags,
        summary: '提交资料：开始一笔柜台业务（新办、补办、变更、续费）',
        body: ZCounterOpenBody,
        response: { 200: ZCounterStep },
      },
    },
    async (req) => stepResult(await openCounterOrder(deps, staffActor(req), req.body, metaOf(req))),
  );
  app.get(
    '/api/staff/counter/orders/:id',
    {
      config: { staffAccess: COUNTER_VIEWERS },
      schema: { tags, summary: '柜台业务详情', params: ZId, response: { 200: ZCounterView } },
    },
    async (req) => viewCounterOrder(deps, staffActor(req), req.params.id, metaOf(req)),
  );
  app.post(
    '/api/staff/counter/orders/:id/materials',
    {
      config: { staffAccess: COUNTER_REVIEWERS },
      schema: { tags, summary: '核对资料清单（勾选已收到的资料）', params: ZId, body: ZMaterialsBody, response: { 200: ZCounterStep } },
    },
    async (req) => stepResult(await tickMaterials(deps, staffActor(req), req.params.id, req.body.ticked, metaOf(req))),
  );
}

/** The steps of the flow table: the decisions, 制作证书 and 现场缴费并领取 (roles from COUNTER_TRANSITIONS). */
function stepRoutes(app: CounterApp, deps: CounterDeps) {
  app.post(
    '/api/staff/counter/orders/:id/actions/:action',
    {
      config: { staffAccess: rolesFor(COUNTER_TRANSITIONS, ...ZAct.shape.action.options) },
      schema: {
        tags,
        summary: '前台受理、审核通过、退回补正、取消办理、制作电子签章、办结',
        params: ZAct,
        body: ZCounterActionBody.optional(),
        response: { 200: ZCounterStep },
      },
    },
    async (req) =>
      stepResult(await actOnCounterOrder(deps, staffActor(req), req.params.id, req.params.action, req.body?.reason, metaOf(req))),
  );
  app.post(
    '/api/staff/counter/orders/:id/produce',
    {
      config: { staffAccess: rolesFor(COUNTER_TRANSITIONS, 'produce') },
      schema: {
        tags,
        summary: '制作证书：签发证书（USB Key 证书请求，或系统生成密钥返回一次性 PKCS#12）',
        params: ZId,
        body: ZProduceBody,
        response: { 200: ZCounterProduced },
      },
    },
    async (req) => {
      const r = await produceAtCounter(deps, staffActor(req), req.params.id, req.body.key, metaOf(req));
      return { ...stepResult(r.order), ...producedCertificateReply(r) };
    },
  );
  app.post(
    '/api/staff/counter/orders/:id/pay',
    {
      config: { staffAccess: rolesFor(COUNTER_TRANSITIONS, 'pay') },
      schema: { tags, summary: '现场缴费并领取', params: ZId, body: ZCounterPayBody, response: { 200: ZCounterStep } },
    },
    async (req) => stepResult(await payAtCounter(deps, staffActor(req), req.params.id, req.body, metaOf(req))),
  );
}

/** Scans of materials (like online documents): uploaded as multipart, each viewing recorded. */
function scanRoutes(app: CounterApp, deps: CounterDeps & { store: FileStore }) {
  app.post(
    '/api/staff/counter/orders/:id/materials/:material/scan',
    {
      config: { staffAccess: COUNTER_REVIEWERS },
      schema: {
        tags,
        summary: '上传资料扫描件（multipart/form-data，字段 file；jpeg、jpg、png、bmp，1MB以内）',
        consumes: ['multipart/form-data'],
        params: z.object({ id: ZId.shape.id, material: z.string().max(40, '资料编号不正确') }),
        response: { 201: ZCounterScan },
      },
    },
    async (req, reply) => {
      const scan = await uploadScan(deps, staffActor(req), req.params.id, req.params.material, () => readUploadedFile(req), metaOf(req));
      return reply
        .status(201)
        .send({ scan: { id: scan.id, material: scan.material, uploadedAt: scan.uploadedAt, originalName: scan.originalName } });
    },
  );
  app.get(
    '/api/staff/counter/orders/:id/scans/:scanId/:variant',
    {
      config: { staffAccess: COUNTER_VIEWERS },
      schema: {
        tags,
        summary: '查看资料扫描件（原图或缩略图；每次查看都被记录）',
        params: z.object({
          id: ZId.shape.id,
          scanId: z.string().uuid('扫描件编号不正确'),
          variant: z.enum(['file', 'thumbnail'], { error: '只能查看原图或缩略图' }),
        }),
      },
    },
    async (req, reply) =>
      sendImage(reply, await readScan(deps, staffActor(req), req.params.id, req.params.scanId, req.params.variant, metaOf(req))),
  );
}

function dailyRoute(app: CounterApp, deps: CounterDeps) {
  app.get(
    '/api/staff/counter/daily',
    {
      config: { staffAccess: COUNTER_VIEWERS },
      schema: { tags, summary: '受理点日报：当日业务与合计', querystring: ZDaily, response: { 200: ZDailyReport } },
    },
    async (req) => dailyList(deps, staffActor(req), req.query, metaOf(req)),
  );
}

export const counterRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (outer) => {
    const { deps } = ctx;
    const { db } = deps;
    // The 12 offices of seed 004, once; an administrator's later edits stay.
    await seedOffices(db, deps.clock.now());

    await outer.register(async (scope) => {
      // Scans of materials are uploaded as multipart (the documents module's limits); the rest stays JSON.
      await scope.register(fastifyMultipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false });
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      metaRoute(app, db);
      officeRoutes(app, deps);
      organizationRoutes(app, deps);
      orderRoutes(app, deps);
      stepRoutes(app, deps);
      scanRoutes(app, { ...deps, store: fileStoreFor(deps.config, db) });
      dailyRoute(app, deps);
    });
  };
