import { describe, expect, it } from 'vitest';
import { PROJECTS, projectByCode } from './content/projects.js';
import { allowedKeyTypes, uploadSlots, type KeyHoldings } from './requirements.js';

const none: KeyHoldings = { mainKeyHeld: false, mainKeyInProgress: false };
const held: KeyHoldings = { mainKeyHeld: true, mainKeyInProgress: false };
const inProgress: KeyHoldings = { mainKeyHeld: false, mainKeyInProgress: true };

describe('main/sub key rule', () => {
  it.each([
    ['gov-procurement', none, ['main'], /第一次申请必须选择含电子签章的主锁/],
    ['gov-procurement', held, ['sub'], /已办理过.*主锁.*只能申请不含电子签章的副锁/],
    ['gov-procurement', inProgress, ['sub'], /正在办理.*只能申请.*副锁/],
    ['public-resource', none, ['main'], /第一次申请/],
    ['public-resource', held, ['sub'], /副锁/],
    ['construction-approval', none, ['main'], /第一次申请/],
    ['construction-approval', held, [], /只提供含电子签章的主锁.*现场办理/],
    ['housing-in-province', inProgress, [], /正在办理.*现场办理/],
    ['housing-out-of-province', none, ['main'], /第一次申请/],
  ] as const)('%s with %o → %o', (code, h, allowed, reason) => {
    const r = allowedKeyTypes(projectByCode(code)!, h);
    expect(r.allowed).toEqual(allowed);
    expect(r.reason).toMatch(reason);
  });
});

describe('upload slots per project and key type', () => {
  const codes = (p: string, k: 'main' | 'sub', u?: 'enterprise' | 'medical' | 'government') =>
    uploadSlots({ projectCode: p, keyType: k, unitType: u }).map((s) => s.code);
  const common = ['application-form', 'business-license', 'agent-id-front', 'agent-id-back', 'power-of-attorney'];

  it.each([
    ['gov-procurement', 'main', [...common, 'seal-sheet']],
    ['gov-procurement', 'sub', common], // 副锁无印章，无需提供签章采集表
    ['public-resource', 'sub', common],
    ['construction-approval', 'main', [...common, 'seal-sheet']],
    ['housing-in-province', 'main', [...common, 'seal-sheet']],
    ['housing-out-of-province', 'main', [...common, 'seal-sheet', 'appointment-letter']],
  ] as const)('%s %s', (p, k, expected) => {
    expect(codes(p, k)).toEqual(expected);
  });

  it('names the credential after the unit type (seeds: substitutes for 营业执照)', () => {
    const label = (u: 'enterprise' | 'medical' | 'government') =>
      uploadSlots({ projectCode: 'gov-procurement', keyType: 'main', unitType: u })[1]!.label;
    expect(label('enterprise')).toBe('营业执照复印件');
    expect(label('medical')).toBe('医疗机构执业许可证复印件');
    expect(label('government')).toBe('统一社会信用代码证书复印件');
  });

  it('uses the out-of-province seal sheet variant only for 江西省住建厅外省企业', () => {
    for (const p of PROJECTS) {
      const sheet = uploadSlots({ projectCode: p.code, keyType: 'main' }).find((s) => s.code === 'seal-sheet')!;
      expect(sheet.label.includes('外省')).toBe(p.code === 'housing-out-of-province');
    }
  });
});

describe('status vocabulary', () => {
  it("uses the seeds' six labels, in one vocabulary shared with the help manual", async () => {
    const { STATUS_LABEL, PUBLIC_STATUS, ORDER_STATUSES: ALL } = await import('./workflow.js');
    const { ORDER_STATUSES } = await import('./content/order-statuses.js');
    for (const st of ALL) {
      const pub = PUBLIC_STATUS[st];
      if (pub) expect(STATUS_LABEL[st]).toBe(ORDER_STATUSES.find((s) => s.code === pub)!.label);
    }
    expect(new Set(Object.values(STATUS_LABEL))).toEqual(
      new Set(['草稿', '正在审核', '资料审核通过', '资料审核失败', '正在受理', '制证完成', '已发放', '已删除', '已取消']),
    );
  });
});
