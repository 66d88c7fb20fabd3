/** 系统设置 (管理员): the SMS texts sent to agents and where applicants mail the paper, editable; every change audited. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZPaperAddressSetting, ZSmsTemplateSaved, ZSmsTemplates } from '../../core/settings-schemas.js';
import type { AppContext } from '../app.js';
import { ZPaperAddress } from '../../core/paper-checklist.js';
import { ALIYUN_NOTE, listSmsTemplates, SMS_TEXT_MAX, updateSmsTemplate } from '../modules/notifications/sms-templates.js';
import { paperAddressSetting, updatePaperAddress } from '../modules/settings/paper-address.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

export const staffSettingsRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, config } = ctx.deps;
    const tags = ['工作人员'];
    enforceStaffAccess(app, db);

    const answer = async () => ({
      items: await listSmsTemplates(db),
      /** Which gateway sends now: with 'aliyun' the text approved at Aliyun is what phones receive. */
      provider: config.sms.kind,
      note: ALIYUN_NOTE,
    });

    app.get(
      '/api/staff/sms-templates',
      {
        config: { staffAccess: ['管理员'] },
        schema: { tags, summary: '短信模板（默认文字、当前文字、占位符、阿里云模板CODE变量）', response: { 200: ZSmsTemplates } },
      },
      answer,
    );

    app.put(
      '/api/staff/sms-templates/:key',
      {
        config: { staffAccess: ['管理员'] },
        schema: {
          tags,
          summary: '修改短信模板文字（管理员；默认模板的占位符须全部保留）',
          params: z.object({ key: z.string().max(64) }),
          body: z.object({
            text: z.string({ error: '请填写短信内容' }).max(SMS_TEXT_MAX * 2, `短信内容最多${SMS_TEXT_MAX}个字`),
          }),
          response: { 200: ZSmsTemplateSaved },
        },
      },
      async (req) => {
        await updateSmsTemplate(ctx.deps, req.params.key, req.body.text, staffActor(req), metaOf(req));
        const all = await answer();
        return { ...all, template: all.items.find((t) => t.key === req.params.key)! };
      },
    );

    app.get(
      '/api/staff/settings/paper-address',
      {
        config: { staffAccess: ['管理员'] },
        schema: { tags, summary: '纸质资料收件信息（地址、收件人、电话；未设置时为默认值）', response: { 200: ZPaperAddressSetting } },
      },
      async () => paperAddressSetting(db),
    );

    app.put(
      '/api/staff/settings/paper-address',
      {
        config: { staffAccess: ['管理员'] },
        schema: {
          tags,
          summary: '修改纸质资料收件信息（管理员；订单页面、付款成功页面和短信、邮寄资料清单随之改变）',
          body: ZPaperAddress,
          response: { 200: ZPaperAddressSetting },
        },
      },
      async (req) => {
        await updatePaperAddress(ctx.deps, req.body, staffActor(req), metaOf(req));
        return paperAddressSetting(db);
      },
    );
  };
