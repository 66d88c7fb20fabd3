/**
 * Request and response shapes shared by the server (validation + OpenAPI) and the web (forms).
 * Messages are Chinese and name the field and the rule, so the server's answer can be shown as it is.
 */
import { z } from 'zod';
import { isAuditor, STAFF_ROLES } from './staff-roles.js';
import { normalizeUscc, usccProblem, usccProblemMessage } from './uscc.js';
import { normalizeMobile, mobileProblem, mobileProblemMessage } from './mobile.js';
import { PASSWORD_MAX, passwordProblem, passwordProblemMessage } from './password-rule.js';
import { visibleText } from './visible-text.js';

export const ZUscc = z
  .string({ error: '请填写统一社会信用代码' })
  .max(64, '统一社会信用代码应为18位')
  .transform((s) => normalizeUscc(s))
  .superRefine((s, ctx) => {
    const p = usccProblem(s);
    if (p) ctx.addIssue({ code: 'custom', message: usccProblemMessage(p) });
  });

export const mobileField = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .max(32, `${label}应为11位大陆手机号码`)
    .transform((s) => normalizeMobile(s))
    .superRefine((s, ctx) => {
      const p = mobileProblem(s);
      if (p) ctx.addIssue({ code: 'custom', message: mobileProblemMessage(p, label) });
    });

export const ZMobile = mobileField('手机号');

export const ZOrgName = z
  .string({ error: '请填写单位名称' })
  .superRefine(visibleText('单位名称'))
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(2, '单位名称至少2个字，请与营业执照上的名称完全一致')
      .max(100, '单位名称最多100个字')
      .refine((s) => !/[<>]/.test(s), '单位名称不能包含 < 或 >'),
  );

export const ZCaptcha = z.object({
  captchaId: z.string({ error: '验证码已失效，请刷新验证码' }).uuid('验证码已失效，请刷新验证码'),
  captchaAnswer: z.string({ error: '请填写验证码' }).trim().min(1, '请填写验证码').max(10, '验证码不正确'),
});

const ZPasswordInput = z
  .string({ error: '请填写密码' })
  .min(1, '请填写密码')
  .max(PASSWORD_MAX * 4, `密码最多${PASSWORD_MAX}位`);

/** A new password: the rule without the account's identifiers (the use case adds those). */
export const ZNewPassword = z.string({ error: '请填写密码' }).superRefine((pw, ctx) => {
  const p = passwordProblem(pw);
  if (p) ctx.addIssue({ code: 'custom', message: passwordProblemMessage(p) });
});

export const ZRegisterBody = z
  .object({
    name: ZOrgName,
    uscc: ZUscc,
    mobile: ZMobile,
    password: ZNewPassword,
    passwordConfirm: z.string({ error: '请再次填写密码' }),
    agree: z.literal(true, { error: '请阅读并同意《江西CA数字证书用户协议》' }),
  })
  .extend(ZCaptcha.shape);
export type TRegisterBody = z.input<typeof ZRegisterBody>;

export const ZLoginBody = z
  .object({
    uscc: z.string({ error: '请填写统一社会信用代码' }).max(64).transform(normalizeUscc),
    password: ZPasswordInput,
  })
  .extend(ZCaptcha.shape);
export type TLoginBody = z.input<typeof ZLoginBody>;

export const ZResetRequestBody = z
  .object({
    uscc: z.string({ error: '请填写统一社会信用代码' }).max(64).transform(normalizeUscc),
    mobile: ZMobile,
  })
  .extend(ZCaptcha.shape);

export const ZResetConfirmBody = z.object({
  uscc: z.string({ error: '请填写统一社会信用代码' }).max(64).transform(normalizeUscc),
  code: z
    .string({ error: '请填写短信验证码' })
    .trim()
    .regex(/^\d{6}$/, '短信验证码为6位数字'),
  password: ZNewPassword,
  passwordConfirm: z.string({ error: '请再次填写密码' }),
});

// The roles themselves live in staff-roles.ts, which has no zod: the staff console's shell checks a role
// without downloading the rule library (issue 14). Re-exported here for the server's many importers.
export { AUDITOR, isAuditor, STAFF_ROLES, type StaffRole } from './staff-roles.js';
export const ZStaffRole = z.enum(STAFF_ROLES, { error: '角色只能是：预审、受理、制证、发放、财务、管理员、审计员、密钥管理员' });

export const ZStaffLoginBody = z
  .object({
    username: z.string({ error: '请填写用户名' }).trim().min(1, '请填写用户名').max(64, '用户名最多64位'),
    password: ZPasswordInput,
  })
  .extend(ZCaptcha.shape);

export const ZStaffCreateBody = z.object({
  username: z
    .string({ error: '请填写用户名' })
    .trim()
    .regex(/^[a-z][a-z0-9_.-]{2,31}$/, '用户名为3–32位小写字母、数字、点、下划线或连字符，以字母开头'),
  displayName: z.string({ error: '请填写姓名' }).superRefine(visibleText('姓名')).trim().min(1, '请填写姓名').max(32, '姓名最多32个字'),
  roles: z
    .array(ZStaffRole)
    .min(1, '至少选择一个角色')
    .refine((r) => !isAuditor(r) || new Set(r).size === 1, '审计员不能兼任其他角色（只能查看和校验操作记录）'),
  password: ZNewPassword,
});

export const ZOrgRenameBody = z.object({
  name: ZOrgName,
  reason: z.string({ error: '请填写修改原因' }).trim().min(2, '请填写修改原因（至少2个字）').max(200, '修改原因最多200字'),
});
