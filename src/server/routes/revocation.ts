/** 吊销：工作人员发起并由第二人批准，申请单位在线申请吊销本单位的证书. */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REVOCATION_REASONS, REVOCATION_REASON_CODES, revocationReasonLabel } from '../../core/revocation-reasons.js';
import { AppError } from '../../core/errors.js';
import {
  ZApplicantRevocationRequested,
  ZOrgCertificates,
  ZRevocationApproved,
  ZRevocationHistory,
  ZRevocationQueue,
  ZRevocationRefused,
  ZStaffRevocationRequested,
} from '../../core/revocation-schemas.js';
import type { AppContext } from '../app.js';
import { certificateRepository, normalizeSerial } from '../modules/certificates/repository.js';
import { publisherFor } from '../modules/revocation/publication.js';
import {
  REVOCATION_APPROVERS,
  REVOCATION_REQUESTERS,
  decideRevocation,
  listRevocations,
  requestRevocation,
  revocationHistory,
} from '../modules/revocation/revocation.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { enforceStaffAccess, metaOf, requireOrg, staffActor } from './guards.js';

const ZId = z.object({ id: z.string({ error: '编号格式不正确' }).uuid('编号格式不正确') });
const ZReason = z.coerce
  .number({ error: '请选择吊销原因' })
  .int('请选择吊销原因')
  .refine((n) => REVOCATION_REASON_CODES.includes(n), '请选择列表中的吊销原因');
const ZNote = z.string().trim().max(200, '说明最多200个字').optional();
const ZStaffRequest = z
  .object({
    certificateId: z.string().uuid('证书编号格式不正确').optional(),
    serial: z.string().max(100, '序列号过长').optional(),
    reason: ZReason,
    note: ZNote,
  })
  .refine((b) => b.certificateId || b.serial, { message: '请指定证书（编号或序列号）', path: ['serial'] });
const ZApplicantRequest = z.object({
  reason: ZReason,
  note: ZNote,
  /** The SMS code sent to the registered mobile (POST /api/my-certificates/:id/revocation-code). */
  code: z
    .string({ error: '请输入短信中的6位验证码' })
    .trim()
    .regex(/^\d{6}$/, '请输入短信中的6位验证码'),
});
const ZRefuse = z.object({
  note: z.string({ error: '请填写不批准的原因' }).trim().min(1, '请填写不批准的原因').max(200, '说明最多200个字'),
});
const ZApprove = z.object({ note: ZNote }).optional();
const ZList = z.object({ which: z.enum(['pending', 'decided']).default('pending') });

const ALL = [...new Set([...REVOCATION_REQUESTERS, ...REVOCATION_APPROVERS])];

export const revocationRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (outer) => {
    const { deps } = ctx;
    const { db } = deps;

    /** After the commit: the CRL and the OCSP answer follow now; if this fails, the CA job does it (the marker stays). */
    const afterRevocation = async (serial: string, log: { warn(o: object, m: string): void }) => {
      try {
        const p = await publisherFor(deps);
        await p.afterChange(serial);
      } catch (err) {
        log.warn({ err, serial }, 'republication after revocation failed; the CA job retries');
      }
    };

    await outer.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      app.get(
        '/api/staff/revocations',
        {
          config: { staffAccess: ALL },
          schema: {
            tags,
            summary: '吊销申请：待处理队列（24小时时限）或已处理记录',
            querystring: ZList,
            response: { 200: ZRevocationQueue },
          },
        },
        async (req) => {
          const me = staffActor(req);
          return {
            requests: await listRevocations(deps, req.query.which, me.id),
            reasons: REVOCATION_REASONS,
            me: me.id,
            canApprove: me.roles.some((r) => (REVOCATION_APPROVERS as readonly string[]).includes(r)),
          };
        },
      );

      app.get(
        '/api/staff/revocations/certificates/:id',
        {
          config: { staffAccess: ALL },
          schema: {
            tags,
            summary: '某张证书的吊销申请记录（申请时间、吊销时间、是否在24小时内）',
            params: ZId,
            response: { 200: ZRevocationHistory },
          },
        },
        async (req) => revocationHistory(deps, req.params.id),
      );

      app.post(
        '/api/staff/revocations',
        {
          config: { staffAccess: REVOCATION_REQUESTERS },
          schema: {
            tags,
            summary: '申请吊销证书（制证、受理、管理员；须另一位制证或管理员批准）',
            body: ZStaffRequest,
            response: { 201: ZStaffRevocationRequested },
          },
        },
        async (req, reply) => {
          let id = req.body.certificateId;
          if (!id) {
            const serial = normalizeSerial(req.body.serial ?? '');
            const c = serial ? await certificateRepository.findBySerial(db, serial) : undefined;
            if (!c) throw new AppError('NOT_FOUND', '找不到该序列号的证书');
            id = c.id;
          }
          const r = await requestRevocation(deps, { kind: 'staff', actor: staffActor(req) }, id, req.body, metaOf(req));
          return reply.status(201).send({ request: { ...r, reasonLabel: revocationReasonLabel(r.reason) } });
        },
      );

      app.post(
        '/api/staff/revocations/:id/approve',
        {
          config: { staffAccess: REVOCATION_APPROVERS },
          schema: {
            tags,
            summary: '批准吊销：证书立即吊销，CRL 与 OCSP 随即更新（制证、管理员；不能是申请人）',
            params: ZId,
            body: ZApprove,
            response: { 200: ZRevocationApproved },
          },
        },
        async (req) => {
          const r = await decideRevocation(deps, staffActor(req), req.params.id, { approve: true, note: req.body?.note }, metaOf(req));
          await afterRevocation(r.serial, req.log);
          return { request: r.request, revokedAt: r.revokedAt };
        },
      );

      app.post(
        '/api/staff/revocations/:id/refuse',
        {
          config: { staffAccess: REVOCATION_APPROVERS },
          schema: {
            tags,
            summary: '不批准吊销申请（制证、管理员；须填写原因）',
            params: ZId,
            body: ZRefuse,
            response: { 200: ZRevocationRefused },
          },
        },
        async (req) => ({
          request: (await decideRevocation(deps, staffActor(req), req.params.id, { approve: false, note: req.body.note }, metaOf(req)))
            .request,
        }),
      );
    });

    // --- 申请单位 ------------------------------------------------------------------------------------
    outer.withTypeProvider<ZodTypeProvider>().get(
      '/api/certificates',
      {
        schema: {
          tags: ['申请单位'],
          summary: '本单位的证书及其状态（有效/已吊销），以及待处理的吊销申请',
          response: { 200: ZOrgCertificates },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const open = new Map((await revocationRepository.openRequestsOfOrg(db, org.id)).map((r) => [r.certificateId, r.requestedAt]));
        const rows = await revocationRepository.certificatesOfOrg(db, org.id);
        return {
          certificates: rows.map((c) => ({
            ...c,
            revocationReasonLabel: c.revocationReason === null ? null : revocationReasonLabel(c.revocationReason),
            revocationRequestedAt: open.get(c.id) ?? null,
          })),
          reasons: REVOCATION_REASONS.filter((r) => r.applicant),
        };
      },
    );

    outer.withTypeProvider<ZodTypeProvider>().post(
      '/api/certificates/:id/revocation-requests',
      {
        schema: {
          tags: ['申请单位'],
          summary: '申请吊销本单位的证书（须填写发到注册手机的短信验证码；由 CA 工作人员审核，24小时内处理）',
          params: ZId,
          body: ZApplicantRequest,
          response: { 201: ZApplicantRevocationRequested },
        },
      },
      async (req, reply) => {
        const org = await requireOrg(db, req);
        const r = await requestRevocation(
          deps,
          { kind: 'applicant', organizationId: org.id, code: req.body.code },
          req.params.id,
          req.body,
          metaOf(req),
        );
        return reply.status(201).send({
          request: {
            id: r.id,
            status: r.status,
            reason: r.reason,
            reasonLabel: revocationReasonLabel(r.reason),
            requestedAt: r.requestedAt,
          },
        });
      },
    );
  };
