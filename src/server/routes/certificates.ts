/**
 * 证书登记簿 (staff): search, detail, downloads, CSV import of certificates issued at an office; and the
 * applicant's own certificate. 制证's issuance is POST /api/staff/orders/:id/produce (routes/fulfilment.ts).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { StaffRole } from '../../core/schemas.js';
import { CERT_SEARCH_KEYS, type CertSearchKey } from '../../core/certificates.js';
import {
  ZCertificateOfOrder,
  ZCertificateOne,
  ZCertificatesImported,
  ZOrderCertificate,
  ZRegistryPage,
} from '../../core/certificates-schemas.js';
import type { AppContext } from '../app.js';
import { importCertificates } from '../modules/certificates/import-csv.js';
import { certificateDetail, certificatePem, displaySerial, listCertificates } from '../modules/certificates/registry.js';
import { certificateRepository } from '../modules/certificates/repository.js';
import { enforceStaffAccess, metaOf, requireOwnedOrder, staffActor } from './guards.js';

const ZId = z.object({ id: z.string({ error: '证书编号格式不正确' }).uuid('证书编号格式不正确') });
const ZOrderId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
const IMPORTERS = ['管理员', '制证'] as const satisfies readonly StaffRole[];

const ZList = z.object({
  key: z.enum(Object.keys(CERT_SEARCH_KEYS) as [CertSearchKey, ...CertSearchKey[]], { error: '没有这种查询方式' }).optional(),
  q: z.string().max(100, '查询内容最多100个字').optional(),
  after: z.string().max(200, '翻页参数不正确，请刷新列表').optional(),
  limit: z.coerce.number().int().min(1, '每页条数须为1到100的整数').max(100, '每页条数须为1到100的整数').default(50),
});
const ZFormat = z.object({ format: z.enum(['der', 'pem'], { error: '格式只能是 der 或 pem' }).default('pem') });
/** The applicant's route answers JSON without ?format, the file with it. */
const ZFormatOptional = z.object({ format: z.enum(['der', 'pem'], { error: '格式只能是 der 或 pem' }).optional() });

export const certificateRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db } = deps;

    const download = (c: { der: Buffer | null; serial: string }, format: 'der' | 'pem', reply: FastifyReply) => {
      if (!c.der) throw new AppError('NOT_FOUND', '此证书没有证书文件（导入的记录或尚未签发）');
      const name = `${displaySerial(c.serial)}.${format === 'der' ? 'cer' : 'pem'}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      reply.header('cache-control', 'no-store');
      return format === 'der'
        ? reply.type('application/pkix-cert').send(c.der)
        : reply.type('application/x-pem-file').send(certificatePem(c.der));
    };

    // ——— the applicant: its order's certificate ———
    app.get(
      '/api/orders/:id/certificate',
      {
        schema: {
          tags: ['订单'],
          summary: '本订单的证书（签发后）：序列号、有效期、下载',
          params: ZOrderId,
          querystring: ZFormatOptional,
          response: { 200: ZOrderCertificate },
        },
      },
      async (req, reply) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        const c = await certificateRepository.liveForOrder(db, order.id);
        if (!c || c.status === 'pending') throw new AppError('NOT_FOUND', '本订单的证书尚未签发');
        if (req.query.format) return download(c, req.query.format, reply as unknown as FastifyReply);
        const d = certificateDetail(c, deps.clock.now());
        return {
          certificate: {
            // The registry id: what 我的证书 and the seal/revocation routes name the certificate by.
            id: c.id,
            serial: d.serialDisplay,
            notBefore: d.notBefore,
            notAfter: d.notAfter,
            status: d.publicStatus,
            statusLabel: d.publicStatusLabel,
            hasDer: d.hasDer,
          },
        };
      },
    );

    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      app.get(
        '/api/staff/certificates',
        {
          config: { staffAccess: 'any' },
          schema: {
            tags,
            summary: '证书登记簿：按序列号、统一社会信用代码、单位名称、项目查询（新的在前）',
            querystring: ZList,
            response: { 200: ZRegistryPage },
          },
        },
        async (req, reply) => {
          reply.header('cache-control', 'no-store');
          return listCertificates(deps, req.query);
        },
      );

      app.get(
        '/api/staff/certificates/:id',
        { config: { staffAccess: 'any' }, schema: { tags, summary: '证书详情', params: ZId, response: { 200: ZCertificateOne } } },
        async (req) => {
          const c = await certificateRepository.findById(db, req.params.id);
          if (!c) throw new AppError('NOT_FOUND', '找不到该证书');
          return { certificate: certificateDetail(c, deps.clock.now()) };
        },
      );

      app.get(
        '/api/staff/certificates/:id/download',
        { config: { staffAccess: 'any' }, schema: { tags, summary: '下载证书（DER 或 PEM）', params: ZId, querystring: ZFormat } },
        async (req, reply) => {
          const c = await certificateRepository.findById(db, req.params.id);
          if (!c) throw new AppError('NOT_FOUND', '找不到该证书');
          return download(c, req.query.format, reply as unknown as FastifyReply);
        },
      );

      app.get(
        '/api/staff/orders/:id/certificate',
        {
          config: { staffAccess: 'any' },
          schema: { tags, summary: '订单的证书（签发中或已签发）', params: ZOrderId, response: { 200: ZCertificateOfOrder } },
        },
        async (req) => {
          const c = await certificateRepository.liveForOrder(db, req.params.id);
          return { certificate: c ? certificateDetail(c, deps.clock.now()) : null };
        },
      );

      app.post(
        '/api/staff/certificates/import',
        {
          config: { staffAccess: IMPORTERS },
          // 10,000 rows of about 120 bytes each.
          bodyLimit: 4 * 1024 * 1024,
          schema: {
            tags,
            summary: '导入现场办理的证书（CSV：序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期；全部正确才导入）',
            body: z.object({ csv: z.string({ error: '请选择 CSV 文件' }).min(1, '请选择 CSV 文件') }),
            response: { 201: ZCertificatesImported },
          },
        },
        async (req, reply) => reply.status(201).send(await importCertificates(deps, staffActor(req), req.body.csv, metaOf(req))),
      );
    });
  };
