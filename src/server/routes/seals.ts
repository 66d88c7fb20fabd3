/**
 * 电子签章（GM/T 0031）: 制证 makes the seals of an order and downloads them (DER) to write onto the key;
 * staff see them on the order page; the applicant lists its certificate's seals and tries them on a sample
 * PDF page; anyone verifies a seal (POST its DER or Base64) against the CA's own status data.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseSeal } from '../../ca/seal/seal.js';
import { AppError } from '../../core/errors.js';
import { formatOrderNumber } from '../../core/order-number.js';
import type { StaffRole } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import { auditRepository } from '../modules/audit/repository.js';
import { certificateRepository } from '../modules/certificates/repository.js';
import { orderRepository } from '../modules/orders/repository.js';
import { confirmedSealImages } from '../modules/seal-images/confirmed.js';
import { makeOrderSeals, sealMakingRefusal } from '../modules/seals/make-seals.js';
import { sealRepository, type SealRow } from '../modules/seals/repository.js';
import { SEAL_KIND_LABEL, sealView } from '../modules/seals/status.js';
import { pdfToPng, sealTryPdf } from '../modules/seals/try-it.js';
import { sealBytesFrom, verifySeal } from '../modules/seals/verify.js';
import type { ThrottlePolicy } from '../modules/throttle/throttle.js';
import { enforceStaffAccess, metaOf, requireOrg, requireOwnedOrder, staffActor } from './guards.js';

const ZOrderId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
const ZCertId = z.object({ id: z.string({ error: '证书编号格式不正确' }).uuid('证书编号格式不正确') });
const ZSealId = z.object({ id: z.string({ error: '电子签章编号格式不正确' }).uuid('电子签章编号格式不正确') });
const ZTry = z.object({
  seal: z.string({ error: '电子签章编号格式不正确' }).uuid('电子签章编号格式不正确').optional(),
  format: z.enum(['pdf', 'png'], { error: '格式只能是 pdf 或 png' }).default('png'),
});
const MAKERS = ['制证'] as const satisfies readonly StaffRole[];
/**
 * Verification is open to anyone and costs a signature check, so it is counted per address like the public
 * status query: 120 in 10 minutes, then a pause of 5 minutes (doubling up to an hour).
 */
export const SEAL_VERIFY_ADDRESS: ThrottlePolicy = {
  threshold: 120,
  windowMs: 10 * 60_000,
  baseLockMs: 5 * 60_000,
  maxLockMs: 60 * 60_000,
};
/** A seal is at most 2 MB (MAX_SEAL_BYTES); its Base64 a third more. */
const VERIFY_BODY_LIMIT = 3 * 1024 * 1024;

export const sealRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db } = deps;

    /** Views of seals with their pictures (from the DER) and the certificate's status now. */
    const views = async (rows: SealRow[]) => {
      const now = deps.clock.now();
      const certs = new Map<string, Awaited<ReturnType<typeof certificateRepository.findById>>>();
      for (const r of rows)
        if (!certs.has(r.certificateId)) certs.set(r.certificateId, await certificateRepository.findById(db, r.certificateId));
      // The kinds in the seal sheet's order (企业公章, 法人私章, 法人手写签名, 入赣负责人私章), the newest first within one.
      const rank = (k: string) => Object.keys(SEAL_KIND_LABEL).indexOf(k);
      const sorted = [...rows].sort((a, b) => rank(a.kind) - rank(b.kind) || b.createdAt.getTime() - a.createdAt.getTime());
      return sorted.map((r) => sealView(r, certs.get(r.certificateId), now, parseSeal(r.der).picture.data));
    };

    // ——— the applicant ———
    app.get(
      '/api/certificates/:id/seals',
      { schema: { tags: ['证书'], summary: '本单位证书的电子签章（我的证书）', params: ZCertId } },
      async (req, reply) => {
        const org = await requireOrg(db, req);
        const cert = await certificateRepository.findById(db, req.params.id);
        if (!cert || cert.organizationId !== org.id) throw new AppError('NOT_FOUND', '找不到该证书');
        reply.header('cache-control', 'no-store');
        return { seals: await views(await sealRepository.activeForCertificate(db, cert.id)) };
      },
    );

    app.get(
      '/api/orders/:id/seals',
      { schema: { tags: ['订单'], summary: '本订单的电子签章（制作后）', params: ZOrderId } },
      async (req, reply) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        const cert = await certificateRepository.liveForOrder(db, order.id);
        reply.header('cache-control', 'no-store');
        return {
          keyType: order.keyType,
          certificateIssued: !!cert && cert.status !== 'pending',
          seals: cert ? await views(await sealRepository.activeForCertificate(db, cert.id)) : [],
        };
      },
    );

    app.get(
      '/api/orders/:id/seal-try',
      {
        schema: {
          tags: ['订单'],
          summary: '试用电子签章：盖在示例 PDF 页面上的效果（png 预览图或 pdf）',
          params: ZOrderId,
          querystring: ZTry,
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const cert = await certificateRepository.liveForOrder(db, order.id);
        const active = cert ? await sealRepository.activeForCertificate(db, cert.id) : [];
        if (!active.length) throw new AppError('NOT_FOUND', '本订单的电子签章尚未制作');
        const seal = req.query.seal ? active.find((s) => s.id === req.query.seal) : active[0];
        if (!seal) throw new AppError('NOT_FOUND', '找不到该电子签章');
        let pdf: Uint8Array;
        try {
          pdf = await sealTryPdf({ seal, unitName: org.name, orderNo: formatOrderNumber(order.orderNo), at: deps.clock.now() });
        } catch (e) {
          // A stored seal whose picture cannot be drawn is our fault, not the applicant's: a bug, logged at error.
          throw new AppError('INTERNAL', '示例页面生成失败：印章图片无法显示，请联系客服', { cause: e });
        }
        reply.header('cache-control', 'no-store');
        if (req.query.format === 'pdf') {
          reply.header('content-disposition', `inline; filename="seal-try-${order.orderNo}.pdf"`);
          return (reply as unknown as FastifyReply).type('application/pdf').send(Buffer.from(pdf));
        }
        return (reply as unknown as FastifyReply).type('image/png').send(await pdfToPng(pdf, 110));
      },
    );

    // ——— anyone: verification ———
    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: VERIFY_BODY_LIMIT }, (_req, body, done) =>
        done(null, body),
      );
      app.post(
        '/api/seals/verify',
        {
          config: { csrf: false },
          bodyLimit: VERIFY_BODY_LIMIT,
          schema: {
            tags: ['电子签章'],
            summary:
              '验证电子签章：提交印章文件（application/octet-stream，DER）或 JSON {"seal": Base64}；返回解析出的印章信息、制章人签名是否有效、绑定证书的当前状态（有效/已吊销/已过期/未知）',
          },
        },
        async (req, reply) => {
          const key = `seal-verify:ip:${req.ip}`;
          // Counted and refused in one atomic step, so a burst cannot slip past the limit.
          await deps.throttle.take(key, SEAL_VERIFY_ADDRESS);
          reply.header('cache-control', 'no-store');
          // Checked here rather than by a schema: the body is raw DER or JSON, and either may be malformed.
          const body = req.body as unknown;
          const text = body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as { seal?: unknown }).seal : undefined;
          if (!Buffer.isBuffer(body) && text !== undefined && typeof text !== 'string')
            throw new AppError('VALIDATION_FAILED', '电子印章内容应为 Base64 文本', { fields: { seal: '电子印章内容应为 Base64 文本' } });
          const der = sealBytesFrom(Buffer.isBuffer(body) ? body : (text as string | undefined));
          return verifySeal(deps, der);
        },
      );
    });

    // ——— staff ———
    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      app.get(
        '/api/staff/orders/:id/seals',
        { config: { staffAccess: 'any' }, schema: { tags, summary: '订单的电子签章（含已替换的）与能否制作', params: ZOrderId } },
        async (req, reply) => {
          const order = await orderRepository.findById(db, req.params.id);
          if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
          const cert = await certificateRepository.liveForOrder(db, order.id);
          const images = await confirmedSealImages(db, order.id);
          let refusal = sealMakingRefusal(order);
          if (!refusal && (!cert || cert.status !== 'issued')) refusal = '本订单的证书尚未签发或已吊销，不能制作电子签章';
          if (!refusal && !images.length) refusal = '印模尚未确认：请先在“电子签章印模”中核对并确认印模';
          reply.header('cache-control', 'no-store');
          const rows = await sealRepository.forOrder(db, order.id);
          return {
            // Whether the order page shows the panel at all: seals exist, or 制证 is at (or next to) the step.
            relevant: rows.length > 0 || (order.keyType === 'main' && ['in_production', 'produced'].includes(order.status)),
            seals: await views(rows),
            confirmedImages: images.map((i) => i.kind),
            canMake: !refusal,
            refusal,
          };
        },
      );

      app.post(
        '/api/staff/orders/:id/seals',
        { config: { staffAccess: MAKERS }, schema: { tags, summary: '制作电子签章（每种印模一枚，绑定本订单的证书）', params: ZOrderId } },
        async (req, reply) => {
          const r = await makeOrderSeals(deps, staffActor(req), req.params.id, metaOf(req));
          return reply.status(r.made.length ? 201 : 200).send({
            made: r.made.length,
            kept: r.kept.length,
            superseded: r.superseded.length,
            message: r.made.length
              ? `已制作 ${r.made.length} 枚电子签章${r.superseded.length ? `（替换 ${r.superseded.length} 枚旧印章）` : ''}`
              : '印模未变化，电子签章无需重新制作',
            seals: await views(await sealRepository.forOrder(db, req.params.id)),
          });
        },
      );

      app.get(
        '/api/staff/seals/:id/download',
        { config: { staffAccess: MAKERS }, schema: { tags, summary: '下载电子签章（DER），用于写入 USB Key', params: ZSealId } },
        async (req, reply) => {
          const seal = await sealRepository.findById(db, req.params.id);
          if (!seal) throw new AppError('NOT_FOUND', '找不到该电子签章');
          if (seal.status !== 'active') throw new AppError('CONFLICT', '此电子签章已被替换，请下载新制作的电子签章');
          const cert = await certificateRepository.findById(db, seal.certificateId);
          if (!cert || cert.status !== 'issued') throw new AppError('CONFLICT', '绑定的证书已吊销或不可用，不能下载此电子签章');
          const actor = staffActor(req);
          await auditRepository.record(db, {
            actorType: 'staff',
            actorId: actor.id,
            action: 'seal.download',
            targetType: 'order',
            targetId: seal.orderId,
            detail: { sealId: seal.id, esId: seal.esId, kind: seal.kind },
            ip: req.ip,
            at: deps.clock.now(),
          });
          reply.header('content-disposition', `attachment; filename="${seal.esId}.esl"`);
          reply.header('cache-control', 'no-store');
          return (reply as unknown as FastifyReply).type('application/octet-stream').send(seal.der);
        },
      );
    });
  };
