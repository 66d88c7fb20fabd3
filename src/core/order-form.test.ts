import { describe, expect, it } from 'vitest';
import { idCheckChar } from './id-number.js';
import { ZOrderDraft, hasCarryOver, initialDraft, orderFormProblems, type OrderDraft } from './order-form.js';

const id = (first17: string) => first17 + idCheckChar(first17);
const today = () => new Date('2026-11-20T00:00:00Z');

const complete: OrderDraft = {
  unit: { address: '南昌市红谷滩新区卧龙路1000号', unitType: 'enterprise' },
  legalPerson: { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' },
  agent: { name: '李四', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'lisi@example.com' },
  invoice: { title: '江西演示科技有限公司', taxNumber: '91360100MA35XQ7T6B', email: 'fapiao@example.com' },
  recipient: { name: '王五', mobile: '13700137003', address: '南昌市东湖区八一大道1号' },
};

describe('order form', () => {
  it('a complete form has no problems', () => {
    expect(orderFormProblems(complete, { outOfProvince: false, today })).toEqual({});
  });

  it('an empty form lists every section', () => {
    const p = orderFormProblems({}, { outOfProvince: false, today });
    expect(Object.keys(p).sort()).toEqual(['agent', 'invoice', 'legalPerson', 'recipient', 'unit']);
  });

  it.each([
    ['agent.idNumber', { agent: { ...complete.agent, idNumber: '360102199003071230' } }, /经办人身份证号校验位不正确/],
    ['legalPerson.idNumber', { legalPerson: { ...complete.legalPerson, idNumber: id('36010219900230123') } }, /法定代表人身份证号第7–14位/],
    ['agent.mobile', { agent: { ...complete.agent, mobile: '0791-82097407' } }, /经办人手机号/],
    ['recipient.mobile', { recipient: { ...complete.recipient, mobile: '12345' } }, /收件人手机号应为11位/],
    ['agent.email', { agent: { ...complete.agent, email: 'lisi@' } }, /经办人电子邮箱格式不正确/],
    ['invoice.taxNumber', { invoice: { ...complete.invoice, taxNumber: '91360100MA35XQ7T6C' } }, /纳税人识别号校验位不正确/],
    ['unit.address', { unit: { address: '南昌', unitType: 'enterprise' } }, /通信地址至少5个字/],
    ['unit.unitType', { unit: { address: '南昌市红谷滩新区', unitType: undefined } }, /请选择单位类型/],
    ['agent.idNumber', { agent: { ...complete.agent, idNumber: id('36010220081121123') } }, /经办人须年满18岁/],
    ['legalPerson.name', { legalPerson: { ...complete.legalPerson, name: '张3' } }, /只能包含汉字/],
  ])('%s', (path, patch, msg) => {
    const p = orderFormProblems({ ...complete, ...patch } as OrderDraft, { outOfProvince: false, today });
    expect(Object.keys(p)).toEqual([path]);
    expect(p[path]).toMatch(msg);
  });

  it('asks for the 入赣负责人 only for out-of-province housing companies', () => {
    expect(orderFormProblems(complete, { outOfProvince: true, today })).toEqual({ inGanManager: '请填写入赣负责人信息' });
    expect(orderFormProblems({ ...complete, inGanManager: { name: '赵六' } }, { outOfProvince: true, today })).toEqual({});
  });

  it('accepts any partial draft but refuses unknown fields and overlong text', () => {
    expect(ZOrderDraft.safeParse({ agent: { name: '李' } }).success).toBe(true);
    expect(ZOrderDraft.safeParse({ hacker: 1 }).success).toBe(false);
    expect(ZOrderDraft.safeParse({ unit: { address: 'x'.repeat(201) } }).success).toBe(false);
  });

  it('prefills a second order from the last one: unit, 法人, 经办人, invoice e-mail, recipient; title and tax number from the account', () => {
    const org = { name: '甲公司（更名后）', uscc: '91360100MA35XQ7T6B' };
    const last: OrderDraft = {
      unit: { address: '江西省南昌市红谷滩区卧龙路1000号', unitType: 'medical' },
      legalPerson: { name: '王建国', idNumber: '360102197503152011', mobile: '13800138000' },
      agent: { name: '李晓红', idNumber: '360121199208084621', mobile: '13900139000', email: 'li@example.com' },
      invoice: { title: '甲公司', taxNumber: '91360100MA35XQ7T6B', email: 'fp@example.com' },
      recipient: { name: '李晓红', mobile: '13900139000', address: '江西省南昌市东湖区八一大道88号' },
      inGanManager: { name: '赵入赣' },
    };
    const cases: [string, OrderDraft | undefined, OrderDraft][] = [
      ['no earlier order', undefined, { unit: { unitType: 'enterprise' }, invoice: { title: org.name, taxNumber: org.uscc } }],
      [
        'a complete earlier order',
        last,
        {
          unit: last.unit,
          legalPerson: last.legalPerson,
          agent: last.agent,
          invoice: { title: org.name, taxNumber: org.uscc, email: 'fp@example.com' },
          recipient: last.recipient,
        },
      ],
      [
        'an earlier order with only the agent',
        { agent: { name: '李晓红' }, legalPerson: { name: '  ' } },
        { unit: { unitType: 'enterprise' }, agent: { name: '李晓红' }, invoice: { title: org.name, taxNumber: org.uscc } },
      ],
    ];
    for (const [, previous, expected] of cases) expect(initialDraft(org, previous)).toEqual(expected);
    expect(hasCarryOver(initialDraft(org))).toBe(false);
    expect(hasCarryOver(last)).toBe(true);
    expect(hasCarryOver({ agent: { name: '李晓红' } })).toBe(true);
  });

  it('prefills the invoice from the account', () => {
    expect(initialDraft({ name: '甲公司', uscc: '91360100MA35XQ7T6B' }).invoice).toEqual({
      title: '甲公司',
      taxNumber: '91360100MA35XQ7T6B',
    });
  });
});
