import { describe, expect, it } from 'vitest';
import { idCheckChar } from './id-number.js';
import { ZCounterOpenBody, ZOfficeBody } from './counter-schemas.js';
import { orderFinalSchema } from './order-form.js';
import { ZOrgName, ZRegisterBody, ZStaffCreateBody } from './schemas.js';
import { firstInvisible } from './visible-text.js';

describe('firstInvisible', () => {
  it.each<[string, string, string | undefined]>([
    ['plain Chinese name', '南昌某某科技有限公司', undefined],
    ['Latin letters, digits, brackets, 间隔号', '江西ABC（南昌）分公司·第1部', undefined],
    ['ideographic and no-break spaces are visible spaces', '南昌\u3000某某\u00a0公司', undefined],
    ['TAB, LF and CR are whitespace the fields trim or collapse', '南昌\t某某\r\n公司', undefined],
    ['rare CJK (extension B) is a character, not a gap', '𠀀某公司', undefined],
    ['zero-width space', '南昌某某\u200b公司', 'U+200B'],
    ['zero-width non-joiner', '南昌\u200c某某公司', 'U+200C'],
    ['zero-width joiner', '南昌\u200d某某公司', 'U+200D'],
    ['left-to-right mark', '\u200e南昌某某公司', 'U+200E'],
    ['byte-order mark / zero-width no-break space', '南昌某某公司\ufeff', 'U+FEFF'],
    ['right-to-left override', '南昌\u202e司公某某', 'U+202E'],
    ['left-to-right embedding', '南昌\u202a某某公司', 'U+202A'],
    ['first strong isolate', '南昌\u2068某某公司', 'U+2068'],
    ['word joiner', '南昌\u2060某某公司', 'U+2060'],
    ['invisible separator', '南昌\u2063某某公司', 'U+2063'],
    ['soft hyphen', '南昌\u00ad某某公司', 'U+00AD'],
    ['Mongolian vowel separator', '南昌\u180e某某公司', 'U+180E'],
    ['NUL', '南昌\u0000某某公司', 'U+0000'],
    ['escape', '南昌\u001b[31m某某公司', 'U+001B'],
    ['DEL', '南昌\u007f某某公司', 'U+007F'],
    ['C1 control (next line)', '南昌\u0085某某公司', 'U+0085'],
    ['line separator', '南昌\u2028某某公司', 'U+2028'],
    ['paragraph separator', '南昌\u2029某某公司', 'U+2029'],
    ['private use', '南昌\ue000某某公司', 'U+E000'],
    ['lone surrogate', '南昌\ud800某某公司', 'U+D800'],
    ['Hangul filler (default-ignorable, shows nothing)', '南昌\u3164某某公司', 'U+3164'],
    ['variation selector', '南昌\ufe0f某某公司', 'U+FE0F'],
    ['tag character', '南昌\u{e0041}某某公司', 'U+E0041'],
    ['the first of several is named', '\u200d南昌\u200b', 'U+200D'],
  ])('%s', (_label, input, expected) => {
    expect(firstInvisible(input)).toBe(expected);
  });
});

/** The first message a schema gives for `path` (the field's message, as the server answers it). */
function messageAt(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, path: string) {
  expect(result.success).toBe(false);
  return result.error!.issues.find((i) => i.path.join('.') === path)?.message;
}

const id = (first17: string) => first17 + idCheckChar(first17);
const final = orderFinalSchema({ outOfProvince: true, today: () => new Date('2026-12-01T00:00:00Z') });
const goodOrder = {
  unit: { address: '江西省南昌市红谷滩区某某路1号', unitType: 'enterprise' },
  legalPerson: { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' },
  agent: { name: '李四', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'li@example.com' },
  invoice: { title: '南昌某某科技有限公司', taxNumber: '91360100MA35XQ7T6B', email: 'fp@example.com' },
  recipient: { name: '王五', mobile: '13700137003', address: '江西省南昌市东湖区某某街2号' },
  inGanManager: { name: '赵六' },
};
const setAt = (obj: Record<string, unknown>, path: string, value: string) => {
  const [a, b] = path.split('.') as [string, string];
  return { ...obj, [a]: { ...(obj[a] as object), [b]: value } };
};

describe('every name and address field refuses invisible characters, naming the field', () => {
  it('the clean order passes (so each refusal below is the invisible character)', () => {
    expect(final.safeParse(goodOrder).success).toBe(true);
  });

  it.each<[string, string]>([
    ['unit.address', '通信地址'],
    ['legalPerson.name', '法定代表人姓名'],
    ['agent.name', '经办人姓名'],
    ['agent.email', '经办人电子邮箱'],
    ['invoice.title', '发票抬头'],
    ['invoice.email', '发票接收邮箱'],
    ['recipient.name', '收件人姓名'],
    ['recipient.address', '收件地址'],
    ['inGanManager.name', '入赣负责人姓名'],
  ])('order form %s', (path, label) => {
    const [a, b] = path.split('.') as [string, string];
    const value = (goodOrder as Record<string, Record<string, string>>)[a]![b]!;
    const bad = setAt(goodOrder, path, value.slice(0, 2) + '\u200b' + value.slice(2));
    expect(messageAt(final.safeParse(bad), path)).toBe(`${label}含有不可见字符（U+200B），可能是从别处复制带入的，请删除后重新输入`);
  });

  it('unit name (registration, rename, counter, 变更): refused before whitespace is collapsed, so U+FEFF is not turned into a space', () => {
    expect(ZOrgName.safeParse('南昌某某科技有限公司').success).toBe(true);
    for (const [ch, cp] of [
      ['\u200b', 'U+200B'],
      ['\ufeff', 'U+FEFF'],
      ['\u202e', 'U+202E'],
      ['\u200d', 'U+200D'],
    ]) {
      const r = ZOrgName.safeParse(`南昌某某${ch}科技有限公司`);
      expect(messageAt(r, '')).toBe(`单位名称含有不可见字符（${cp}），可能是从别处复制带入的，请删除后重新输入`);
    }
    const reg = ZRegisterBody.safeParse({ name: '南昌\u200b某某公司' });
    expect(messageAt(reg, 'name')).toMatch(/^单位名称含有不可见字符（U\+200B）/);
  });

  it('staff-entered names: 经办人 at the counter, a new unit name, staff display name, 受理点', () => {
    const counter = ZCounterOpenBody.safeParse({ agentName: '李四\u200b', newUnitName: '新\u202e名称公司' });
    expect(messageAt(counter, 'agentName')).toMatch(/^经办人姓名含有不可见字符（U\+200B）/);
    expect(messageAt(counter, 'newUnitName')).toMatch(/^单位名称含有不可见字符（U\+202E）/);
    expect(messageAt(ZStaffCreateBody.safeParse({ displayName: '\ufeff张三' }), 'displayName')).toMatch(/^姓名含有不可见字符（U\+FEFF）/);
    const office = ZOfficeBody.safeParse({
      name: '南昌\u200b受理点',
      city: '南\u0000昌',
      address: '某某路\u20281号',
      phones: ['0791-82097407'],
    });
    expect(messageAt(office, 'name')).toMatch(/^受理点名称含有不可见字符（U\+200B）/);
    expect(messageAt(office, 'city')).toMatch(/^城市含有不可见字符（U\+0000）/);
    expect(messageAt(office, 'address')).toMatch(/^地址含有不可见字符（U\+2028）/);
  });
});
