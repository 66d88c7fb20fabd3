/**
 * Response shapes of 系统设置 (server/routes/staff-settings.ts: SMS texts, where the paper goes) and of the
 * messages the outbox gave up on (server/routes/staff-outbox.ts).
 */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';

export const ZSmsTemplate = z.object({
  key: z.string(),
  name: z.string(),
  defaultText: z.string(),
  text: z.string(),
  customized: z.boolean(),
  placeholders: z.array(z.object({ name: z.string(), meaning: z.string() })),
  /** The environment variable holding the template CODE approved at Aliyun. */
  aliyunTemplateEnv: z.string(),
  updatedAt: ZInstant.nullable(),
  updatedBy: z.string().nullable(),
});
export type SmsTemplateView = JsonOf<typeof ZSmsTemplate>;
export const ZSmsTemplates = z.object({
  items: z.array(ZSmsTemplate),
  /** Which gateway sends now: with 'aliyun' the text approved at Aliyun is what phones receive. */
  provider: z.string(),
  note: z.string(),
});
export type SmsTemplates = JsonOf<typeof ZSmsTemplates>;
export const ZSmsTemplateSaved = ZSmsTemplates.extend({ template: ZSmsTemplate });

const ZAddress = z.object({ address: z.string(), recipient: z.string(), phone: z.string() });
export const ZPaperAddressSetting = z.object({
  address: ZAddress,
  defaultAddress: ZAddress,
  isDefault: z.boolean(),
  updatedAt: ZInstant.nullable(),
  /** The administrator's display name. */
  updatedBy: z.string().nullable(),
});
export type PaperAddressSetting = JsonOf<typeof ZPaperAddressSetting>;

export const ZDeadMessage = z.object({
  id: z.number(),
  channel: z.enum(['sms', 'email']),
  /** The phone number or e-mail address. */
  to: z.string(),
  /** The SMS template's Chinese name (短信模板), or the e-mail's subject. */
  what: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: ZInstant,
  resentAt: ZInstant.nullable(),
  /** Null when it can be sent again; otherwise why not (Chinese). */
  cannotResend: z.string().nullable(),
});
export type DeadMessage = JsonOf<typeof ZDeadMessage>;
export const ZDeadMessages = z.object({ items: z.array(ZDeadMessage) });
export type DeadMessages = JsonOf<typeof ZDeadMessages>;
