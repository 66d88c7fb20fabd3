/**
 * 上传证件 and viewing them: the applicant uploads one scan per slot and sees what was uploaded (full image
 * and thumbnail); staff view any order's documents, each view recorded. Files are served decrypted with
 * headers that keep them out of caches and stop browsers from guessing another type.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZDocumentStored, ZReusableScans } from '../../core/orders-schemas.js';
import type { AppContext } from '../app.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { MULTIPART_LIMITS, readUploadedFile } from '../modules/documents/read-upload.js';
import { documentSummary, uploadDocument, type DocumentDeps } from '../modules/documents/upload-document.js';
import { reusableDocuments, reuseDocument } from '../modules/documents/reuse-document.js';
import { readDocumentForStaff, readOwnDocument, type DocumentVariant } from '../modules/documents/view-document.js';
import type { StaffActor } from '../modules/staff/staff-accounts.js';
import { metaOf, requireOwnedOrder, requireStaff } from './guards.js';
import { sendImage } from './send-image.js';

const ZOrderId = z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确');
const ZDocId = z.string({ error: '证件编号格式不正确' }).uuid('证件编号格式不正确');
const ZDocParams = z.object({ id: ZOrderId, docId: ZDocId });
const VARIANTS = [
  ['file', '原图'],
  ['thumbnail', '缩略图'],
] as const satisfies readonly (readonly [DocumentVariant, string])[];

export const documentsRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, clock, config } = ctx.deps;
    const deps: DocumentDeps = { db, clock, store: fileStoreFor(config, db) };
    const staffActors = new WeakMap<FastifyRequest, StaffActor>();
    // Only this plugin parses multipart; the rest of the API stays JSON-only.
    await app.register(fastifyMultipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false });

    app.post(
      '/api/orders/:id/documents/:slot',
      {
        schema: {
          tags: ['证件'],
          summary: '上传或更换一项证件（multipart/form-data，字段 file；jpeg、jpg、png、bmp，1MB以内）',
          consumes: ['multipart/form-data'],
          params: z.object({ id: ZOrderId, slot: z.string().max(64) }),
          response: { 201: ZDocumentStored },
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const doc = await uploadDocument(deps, org, order, req.params.slot, () => readUploadedFile(req));
        return reply.status(201).send({ document: documentSummary(doc) });
      },
    );

    app.get(
      '/api/orders/:id/documents/:slot/reusable',
      {
        schema: {
          tags: ['证件'],
          summary: '可沿用的营业执照扫描件（本单位近期其他订单上传的）',
          params: z.object({ id: ZOrderId, slot: z.string().max(64) }),
          response: { 200: ZReusableScans },
        },
      },
      async (req) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        return { items: await reusableDocuments(deps, order, req.params.slot) };
      },
    );

    app.post(
      '/api/orders/:id/documents/:slot/reuse',
      {
        schema: {
          tags: ['证件'],
          summary: '沿用本单位其他订单上传的营业执照扫描件',
          params: z.object({ id: ZOrderId, slot: z.string().max(64) }),
          body: z.object({ documentId: ZDocId }),
          response: { 201: ZDocumentStored },
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const doc = await reuseDocument(deps, org, order, req.params.slot, req.body.documentId, metaOf(req));
        return reply.status(201).send({ document: documentSummary(doc) });
      },
    );

    for (const [variant, label] of VARIANTS) {
      app.get(
        `/api/orders/:id/documents/:docId/${variant}`,
        { schema: { tags: ['证件'], summary: `查看本单位上传的证件（${label}）`, params: ZDocParams } },
        async (req, reply) => {
          const { order } = await requireOwnedOrder(db, req, req.params.id);
          return sendImage(reply, await readOwnDocument(deps, order.id, req.params.docId, variant));
        },
      );

      app.get(
        `/api/staff/orders/:id/documents/:docId/${variant}`,
        {
          schema: { tags: ['工作人员'], summary: `工作人员查看订单证件（${label}；每次查看都被记录）`, params: ZDocParams },
          // Who is asking is settled before the parameters are looked at; any enabled staff member may look.
          preValidation: async (req) => {
            staffActors.set(req, await requireStaff(db, req));
          },
          // Every GET is a recorded view; a HEAD would record a view that showed nothing.
          exposeHeadRoute: false,
        },
        async (req, reply) => {
          const actor = staffActors.get(req)!;
          return sendImage(reply, await readDocumentForStaff(deps, actor, req.params.id, req.params.docId, variant, metaOf(req)));
        },
      );
    }
  };
