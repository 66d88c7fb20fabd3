import { describe, expect, it } from 'vitest';
import { PROJECTS } from './content/projects.js';
import { DEFAULT_PAPER_ADDRESS, paperOriginals, ZPaperAddress, type PaperOrder } from './paper-checklist.js';

const ORDER_NO = '202611201234567';
const C = '公章原章';
const L = '法人章原章或法定代表人亲笔签字';
const M = '入赣负责人私章原章或亲笔签字';

describe('the paper originals and their seals, by project and key type (seeds 000–003, 邮寄纸质资料)', () => {
  const common = { 'application-form': [C], 'business-license': [C], 'agent-id': [C] };
  it.each([
    // seed 000: 主锁 with the seal sheet; 副锁无印章，无需提供签章采集表
    ['gov-procurement', 'main', { ...common, 'seal-sheet': [C, L], 'power-of-attorney': [C, L] }],
    ['gov-procurement', 'sub', { ...common, 'power-of-attorney': [C, L] }],
    // seed 001: the same rule
    ['public-resource', 'main', { ...common, 'seal-sheet': [C, L], 'power-of-attorney': [C, L] }],
    ['public-resource', 'sub', { ...common, 'power-of-attorney': [C, L] }],
    // seed 002, seed 003 (省内): main key only, with the seal sheet
    ['construction-approval', 'main', { ...common, 'seal-sheet': [C, L], 'power-of-attorney': [C, L] }],
    ['housing-in-province', 'main', { ...common, 'seal-sheet': [C, L], 'power-of-attorney': [C, L] }],
    // seed 003 (外省): the sheet carries the 入赣负责人's seal too, and the 任命书 盖公章
    ['housing-out-of-province', 'main', { ...common, 'seal-sheet': [C, L, M], 'power-of-attorney': [C, L], 'appointment-letter': [C] }],
  ] as const)('%s %s', (projectCode, keyType, expected) => {
    const list = paperOriginals({ projectCode, keyType, orderNo: ORDER_NO });
    expect(Object.fromEntries(list.map((p) => [p.code, p.seals]))).toEqual(expected);
    // The seeds' order: 申请表, 营业执照, 身份证, (采集表), 委托书, (任命书).
    expect(list.map((p) => p.code)).toEqual(Object.keys(expected));
  });

  it('covers every project and key type offered online', () => {
    for (const p of PROJECTS)
      for (const k of p.keys) expect(paperOriginals({ projectCode: p.code, keyType: k.kind, orderNo: ORDER_NO }).length).toBeGreaterThan(3);
  });

  it('tells where to write the order number, and names the substitute for a 营业执照', () => {
    const list = paperOriginals({ projectCode: 'gov-procurement', keyType: 'main', unitType: 'medical', orderNo: ORDER_NO });
    expect(list[0]!.text).toContain('左上角写明订单编号 202611-2012-34567');
    expect(list[1]).toMatchObject({ name: '医疗机构执业许可证复印件', text: expect.stringContaining('医疗机构执业许可证') });
    expect(list[1]!.text).not.toContain('营业执照');
  });

  it('names the out-of-province seal sheet as such', () => {
    const o: PaperOrder = { projectCode: 'housing-out-of-province', keyType: 'main', orderNo: ORDER_NO };
    expect(paperOriginals(o).find((p) => p.code === 'seal-sheet')!.name).toBe('电子签章采集表（外省企业）');
  });
});

describe('纸质资料收件信息', () => {
  it("defaults to the CA's 办证大厅 of seed 004, and the default passes its own rules", () => {
    expect(DEFAULT_PAPER_ADDRESS).toEqual({
      address: '江西省南昌市省府大院西二路3号3楼',
      recipient: '江西省数字证书有限公司',
      phone: '0791-82097407',
    });
    expect(ZPaperAddress.parse(DEFAULT_PAPER_ADDRESS)).toEqual(DEFAULT_PAPER_ADDRESS);
  });

  it.each([
    [{ phone: '0791-82097407' }, null],
    [{ phone: '079182097407' }, null],
    [{ phone: '13800138000' }, ['phone', /固定电话或400电话/]],
    [{ phone: '400-800-1040' }, null],
    [{ phone: '82097407' }, ['phone', /带区号的座机号/]],
    [{ phone: '0791-8209' }, ['phone', /收件电话格式不正确/]],
    [{ address: '南昌' }, ['address', /完整的收件地址/]],
    [{ address: '江西省南昌市'.repeat(6) }, ['address', /最多35个字/]],
    [{ recipient: '王' }, ['recipient', /收件人/]],
    [{ recipient: '江'.repeat(36) }, ['recipient', /最多35个字/]],
  ] as const)('%o → %o', (over, problem) => {
    const r = ZPaperAddress.safeParse({ ...DEFAULT_PAPER_ADDRESS, ...over });
    if (!problem) return expect(r.success).toBe(true);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual([problem[0]]);
    expect(r.error!.issues[0]!.message).toMatch(problem[1]);
  });
});
