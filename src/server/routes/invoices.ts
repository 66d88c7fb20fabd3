/**
 * 发票: 财务's list of invoice tasks and issuing one (multipart: the invoice number and the PDF; or JSON:
 * the number only), and the applicant's download of the issued PDF. The PDF is judged by its first bytes
 * (%PDF-), at most 5 MB, refused when it carries active content (modules/invoices/pdf-active-content.ts),
 * and kept encrypted at rest like the uploaded scans.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, validationFailed } from '../../core/errors.js';
import { ZInvoiceIssueBody } from '../../core/fulfilment.js';
import type { StaffRole } from '../../core/schemas.js';
import { ZInvoiceIssued, ZInvoiceList } from '../../core/invoices-schemas.js';
import type { AppContext } from '../app.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { INVOICE_MAX_BYTES, issueInvoice } from '../modules/invoices/issue-invoice.js';
import { listInvoices } from '../modules/invoices/list-invoices.js';
import { readInvoicePdf } from '../modules/invoices/read-invoice.js';
import { enforceStaffAccess, metaOf, requireOwnedOrder, staffActor } from './guards.js';
import { fieldErrorsFromIssues } from '../plugins/errors.js';

const ZOrderId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
const ZInvoiceOrder = z.object({ orderId: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
/** Invoices are 财务's alone (the 管理员 approves cancellations with 财务 in finance.ts, but does not invoice). */
const INVOICING = ['财务'] as const satisfies readonly StaffRole[];
const FILE_FIELD = 'file';

/** RFC 6266 / RFC 5987: an ASCII fallback name plus the UTF-8 one. */
const attachmentDisposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

const badFile = (message: string) => validationFailed({ [FILE_FIELD]: message });

/**
 * The issue request: multipart (field invoiceNo, optional file "file") or JSON { invoiceNo }. Busboy stops
 * at 5 MB and marks the file truncated, so an oversized PDF is refused without being held whole.
 */
async function readIssueRequest(req: FastifyRequest): Promise<{ invoiceNo: string; pdf?: Buffer }> {
  let fields: Record<string, unknown> = {};
  let pdf: Buffer | undefined;
  if (req.isMultipart()) {
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== FILE_FIELD || pdf) {
          part.file.resume();
          if (part.fieldname === FILE_FIELD) throw badFile('一次只能上传一个发票文件');
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        if (part.file.truncated) throw badFile('发票文件不能超过5MB');
        pdf = Buffer.concat(chunks);
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      req.log.info({ code: (e as { code?: string }).code }, 'malformed invoice upload');
      throw badFile('上传的内容不完整或格式不正确，请重新选择发票文件');
    }
    if (pdf && pdf.length === 0) throw badFile('发票文件是空的，请重新选择');
  } else {
    fields = (req.body ?? {}) as Record<string, unknown>;
  }
  const parsed = ZInvoiceIssueBody.safeParse(fields);
  if (!parsed.success)
    throw validationFailed(
      fieldErrorsFromIssues(parsed.error.issues.map((i) => ({ instancePath: `/${i.path.join('/')}`, message: i.message }))),
    );
  return { invoiceNo: parsed.data.invoiceNo, pdf };
}

export const invoicesRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db, config } = deps;
    const store = fileStoreFor(config, db);

    app.get(
      '/api/orders/:id/invoice.pdf',
      { schema: { tags: ['订单'], summary: '下载本订单的发票（PDF，开具后）', params: ZOrderId } },
      async (req, reply) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        const { filename, bytes } = await readInvoicePdf({ db, store }, order);
        return reply
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', attachmentDisposition(filename))
          .type('application/pdf')
          .send(bytes);
      },
    );

    // Staff routes in a scope of their own (its access hook must not see the applicant route above); only
    // this scope parses multipart, with the invoice's size limit.
    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      await app.register(fastifyMultipart, {
        limits: { fileSize: INVOICE_MAX_BYTES, files: 2, fields: 4, fieldSize: 1024, parts: 6, headerPairs: 10 },
        throwFileSizeLimit: false,
      });
      const tags = ['工作人员'];

      app.get(
        '/api/staff/invoices',
        {
          config: { staffAccess: INVOICING },
          schema: {
            tags,
            summary: '发票任务列表（财务）：待开具（含是否逾期）、等待制证、已开具',
            querystring: z.object({
              status: z.enum(['due', 'waiting', 'issued'], { error: '状态只能是 due、waiting 或 issued' }).default('due'),
              after: z.string().max(200).optional(),
            }),
            response: { 200: ZInvoiceList },
          },
        },
        async (req, reply) => {
          reply.header('cache-control', 'no-store');
          return listInvoices(deps, req.query.status, req.query.after);
        },
      );

      app.post(
        '/api/staff/invoices/:orderId/issue',
        {
          config: { staffAccess: INVOICING },
          schema: {
            tags,
            summary:
              '开具发票（财务）：multipart 字段 invoiceNo 与 PDF 文件 file（5MB以内），或 JSON { invoiceNo }；开具后自动发送至发票接收邮箱',
            consumes: ['multipart/form-data', 'application/json'],
            params: ZInvoiceOrder,
            response: { 200: ZInvoiceIssued },
          },
        },
        async (req) => {
          const input = await readIssueRequest(req);
          const { invoice, emailed } = await issueInvoice({ ...deps, store }, staffActor(req), req.params.orderId, input, metaOf(req));
          ctx.kickOutbox();
          return {
            invoice: {
              orderId: invoice.orderId,
              status: invoice.status,
              invoiceNo: invoice.invoiceNo,
              issuedAt: invoice.issuedAt,
              hasFile: !!invoice.storageKey,
              email: invoice.email,
            },
            emailed,
          };
        },
      );
    });
  };
