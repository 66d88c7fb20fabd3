/**
 * 下载模板: the order's generated PDFs (application form, power of attorney, seal sheet, appointment letter), and
 * the 邮寄资料清单 to put in the envelope with the paper originals.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { AppContext } from '../app.js';
import { printPaperChecklist } from '../modules/templates/print-paper-checklist.js';
import { printTemplate, TEMPLATE_NAMES, type PrintedTemplate, type TemplateName } from '../modules/templates/print-template.js';
import type { FastifyReply } from 'fastify';
import { requireOwnedOrder } from './guards.js';
import { baseUrlOf } from './orders.js';

const ZParams = z.object({ id: z.string().uuid('订单编号格式不正确'), name: z.string().max(64) });

/** RFC 5987 / RFC 6266: UTF-8 percent-encoding of a file name, attr-char only. */
const rfc5987 = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const templatesRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db } = deps;

    app.get(
      '/api/orders/:id/templates/:name.pdf',
      {
        schema: {
          tags: ['订单'],
          summary:
            '下载模板（PDF）：application-form 申请表 | power-of-attorney 法人授权委托书 | seal-sheet 电子签章采集表 | appointment-letter 入赣负责人任命书',
          params: ZParams,
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const name = req.params.name;
        if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) throw new AppError('NOT_FOUND', '没有这种模板');
        const t = await printTemplate(
          { db, clock: deps.clock, secret: deps.config.secret },
          org,
          order,
          name as TemplateName,
          baseUrlOf(ctx, req),
        );
        return sendPdf(reply, t);
      },
    );

    app.get(
      '/api/orders/:id/paper-checklist.pdf',
      {
        schema: {
          tags: ['订单'],
          summary: '下载邮寄资料清单（PDF）：本订单需邮寄的纸质资料原件及其印章、收件地址、订单编号和邮寄说明',
          params: ZParams.pick({ id: true }),
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        return sendPdf(reply, await printPaperChecklist(deps, org, order));
      },
    );
  };

function sendPdf(reply: FastifyReply, t: PrintedTemplate) {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${t.asciiFileName}"; filename*=UTF-8''${rfc5987(t.fileName)}`)
    .header('cache-control', 'no-store')
    .send(Buffer.from(t.pdf.buffer, t.pdf.byteOffset, t.pdf.byteLength));
}
