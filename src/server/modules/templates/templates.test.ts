import { describe, expect, it } from 'vitest';
import { AGREEMENT } from '../../../core/content/agreement.js';
import { renderApplicationForm, DECLARATION, type ApplicationFormData } from './application-form.js';
import { renderAppointmentLetter, NAME_MATCH_NOTE } from './appointment-letter.js';
import { breakRuns, Sheet } from './layout.js';
import { AGE_NOTE, LEGAL_CHECK_INSTRUCTION, renderPowerOfAttorney, type PowerOfAttorneyData } from './power-of-attorney.js';
import { applicationFormQrPayload, parseApplicationFormQr, verifyApplicationFormQr } from './qr-payload.js';
import { renderSealSheet, SEAL_SHEET_GEOMETRY, SEAL_SHEET_INSTRUCTION, SEAL_SHEET_REMARK, type MmRect } from './seal-sheet.js';
import { brightnessAt, darkestAt, inspectPdf } from './testing/inspect-pdf.js';

const SECRET = 'templates-test-secret';
const ORDER_NO = '261120583029174';
const IDENTITY = JSON.stringify(['江西赣江新区示范科技发展有限责任公司', '91360100MA35XYZ12K', 'gov-procurement', 'main']);
const flat = (s: string) => s.replace(/\s+/g, '');

const formData = (over: Partial<ApplicationFormData> = {}): ApplicationFormData => ({
  orderNo: ORDER_NO,
  formVersion: 7,
  projectName: '江西省政府采购电子卖场',
  keyLabel: '主锁（含电子签章）',
  unitName: '江西赣江新区示范科技发展有限责任公司',
  uscc: '91360100MA35XYZ12K',
  address: '江西省南昌市红谷滩新区卧龙路1000号江西省行政中心集中办事大厅东楼三层302室',
  agent: { name: '欧阳晓梅', idNumber: '36010219900307123X', mobile: '13900139002', email: 'ouyang.xiaomei@example.com' },
  qrPayload: applicationFormQrPayload(SECRET, { orderNo: ORDER_NO, formVersion: 7, identity: IDENTITY }),
  generatedAt: new Date('2026-11-20T02:30:00Z'),
  ...over,
});

const poaData = (over: Partial<PowerOfAttorneyData> = {}): PowerOfAttorneyData => ({
  orderNo: ORDER_NO,
  unitName: '江西赣江新区示范科技发展有限责任公司',
  selfWord: '我公司',
  agent: { name: '欧阳晓梅', idNumber: '36010219900307123X', mobile: '13900139002' },
  legalCheckUrl: 'https://ca.example.cn/v/3q2-7wEAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo',
  generatedAt: new Date('2026-11-20T02:30:00Z'),
  ...over,
});

/** Every template: poppler renders it without complaint and the fonts are embedded subsets. */
function expectCleanPdf(r: Awaited<ReturnType<typeof inspectPdf>>, bytes: Uint8Array) {
  expect(r.stderr).toBe('');
  const fontRows = r.fonts.split('\n').filter((l) => /NotoSansSC/.test(l));
  expect(fontRows.length).toBeGreaterThan(0);
  // name (ABCDEF+…), type, encoding, emb, sub, uni: embedded, subset, with a ToUnicode map (so text can be copied and searched).
  for (const row of fontRows) expect(row).toMatch(/^[A-Z]{6}\+NotoSansSC-\S+\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  // A subset, not the 10 MB font.
  expect(bytes.byteLength).toBeLessThan(400_000);
}

describe('数字证书用户申请表', () => {
  it('prints the order data, the seed text, the online-only mark and a verifiable QR code; the agreement is page 2', async () => {
    const d = formData();
    const pdf = await renderApplicationForm(d);
    const r = await inspectPdf(pdf, 'application-form');
    expectCleanPdf(r, pdf);
    expect(r.pages).toHaveLength(2);
    for (const s of [
      '数字证书用户申请表',
      '线上业务专用表格',
      ORDER_NO,
      '江西省政府采购电子卖场',
      '主锁（含电子签章）',
      d.unitName,
      d.uscc,
      d.address,
      d.agent.name,
      d.agent.idNumber,
      d.agent.mobile,
      d.agent.email,
      DECLARATION,
      '申请单位（盖章）',
      '申请日期',
      '单位名称*',
      '统一社会信用代码*',
      '1、请用户在申请前仔细阅读《江西CA数字证书用户协议》',
      '2、该表内容将作为数字证书中的身份信息，请如实、清晰的填写，并加盖申请单位的公章。',
    ])
      expect(r.flat).toContain(flat(s));
    // 申请类别: the seed's choices, 新办 ticked.
    expect(r.flat).toContain('新办更新补办换卡解锁吊销变更');

    // Page 2 is the whole agreement.
    const page2 = flat(r.text.split('\f')[1]!);
    expect(page2).toContain(AGREEMENT.title);
    for (const s of AGREEMENT.sections) {
      expect(page2).toContain(flat(s.heading));
      for (const c of s.clauses) expect(page2).toContain(flat(c.text));
    }
    for (const p of AGREEMENT.preamble) expect(page2).toContain(flat(p));

    // The QR code on page 1 (top right) names the order and the data version, and its MAC checks out.
    expect(r.pages[0]!.qr).toBe(d.qrPayload);
    expect(parseApplicationFormQr(r.pages[0]!.qr!)).toMatchObject({ orderNo: ORDER_NO, formVersion: 7 });
    expect(verifyApplicationFormQr(SECRET, r.pages[0]!.qr!, { orderNo: ORDER_NO, formVersion: 7, identity: IDENTITY })).toBe(true);
    expect(r.pages[1]!.qr).toBeNull();
  });

  it('the QR payload: fixed format, bound to order, version and identity, unforgeable without the secret', () => {
    const d = { orderNo: ORDER_NO, formVersion: 12, identity: IDENTITY };
    const qr = applicationFormQrPayload(SECRET, d);
    expect(qr).toMatch(/^CERTDESK\|261120583029174\|v12\|[A-Za-z0-9_-]{16}$/);
    expect(verifyApplicationFormQr(SECRET, qr, d)).toBe(true);
    expect(verifyApplicationFormQr(SECRET, qr, { ...d, formVersion: 13 })).toBe(false);
    expect(verifyApplicationFormQr(SECRET, qr, { ...d, orderNo: '261120583029182' })).toBe(false);
    const renamed = JSON.stringify(['江西另一家有限公司', '91360100MA35XYZ12K', 'gov-procurement', 'main']);
    expect(verifyApplicationFormQr(SECRET, qr, { ...d, identity: renamed })).toBe(false);
    expect(verifyApplicationFormQr('another-secret', qr, d)).toBe(false);
    expect(verifyApplicationFormQr(SECRET, qr.replace('|v12|', '|v11|'), { ...d, formVersion: 11 })).toBe(false);
    for (const bad of ['', 'CERTDESK|123|v1|abc', `${qr}x`, qr.replace('CERTDESK', 'OTHER'), 'https://example.com/'])
      expect(parseApplicationFormQr(bad)).toBeNull();
  });

  it('wraps a long address inside its cell instead of running over the frame', async () => {
    const long = '江西省赣州市章贡区红旗大道某某路某某号某某商务中心写字楼A座二十三层2301至2305室（某某产业园区管理委员会对面）';
    const r = await inspectPdf(await renderApplicationForm(formData({ address: long })), 'application-form-long-address');
    expect(r.stderr).toBe('');
    expect(r.flat).toContain(flat(long));
  });
});

describe('法人授权委托书', () => {
  it("fills in the agent, keeps the seed's blanks and sentences, and carries this order's 法人核验 QR code", async () => {
    const d = poaData();
    const pdf = await renderPowerOfAttorney(d);
    const r = await inspectPdf(pdf, 'power-of-attorney');
    expectCleanPdf(r, pdf);
    expect(r.pages).toHaveLength(1);
    for (const s of [
      '法人授权委托书',
      ORDER_NO,
      `兹授权委托${d.agent.name}同志为我公司合法代理人，该同志全权代表我办理数字证书新制业务，代理人在此过程中所签署的一切文件和处理与之有关的一切事务，我均予以承认。`,
      '本委托书有效期自年月日至年月日。',
      '代理人无转委托权。',
      '特此委托。',
      `代理人：${d.agent.name}`,
      '性别：',
      `手机号码：${d.agent.mobile}`,
      `身份证号码：${d.agent.idNumber}`,
      `单位全称：${d.unitName}（盖章）`,
      '法定代表人：（签字或盖章）',
      '授权委托日期：年月日',
      AGE_NOTE,
      LEGAL_CHECK_INSTRUCTION,
      '代理人必须年满18岁',
    ])
      expect(r.flat).toContain(flat(s));
    expect(r.pages[0]!.qr).toBe(d.legalCheckUrl);
  });

  it('has no QR code where the project needs no 法人核验, and says 我单位 for a non-company', async () => {
    const r = await inspectPdf(
      await renderPowerOfAttorney(poaData({ legalCheckUrl: null, selfWord: '我单位' })),
      'power-of-attorney-no-check',
    );
    expect(r.stderr).toBe('');
    expect(r.pages[0]!.qr).toBeNull();
    expect(r.flat).not.toContain(flat(LEGAL_CHECK_INSTRUCTION));
    expect(r.flat).toContain('同志为我单位合法代理人');
    expect(r.flat).toContain(flat(AGE_NOTE));
  });
});

describe('电子签章采集表', () => {
  const inside = (a: MmRect, b: MmRect) => b.x >= a.x && b.y >= a.y && b.x + b.width <= a.x + a.width && b.y + b.height <= a.y + a.height;
  const overlap = (a: MmRect, b: MmRect) =>
    a.x < b.x + b.width - 1e-9 && b.x < a.x + a.width - 1e-9 && a.y < b.y + b.height - 1e-9 && b.y < a.y + a.height - 1e-9;

  it('geometry: boxes fit a 42 mm seal, do not overlap, lie in the frame; the four marks sit outside its corners, on the page', () => {
    for (const g of Object.values(SEAL_SHEET_GEOMETRY)) {
      const boxes = g.rows.flatMap((r) => r.boxes);
      for (const b of boxes) {
        expect(inside(g.area, b)).toBe(true);
        expect(Math.min(b.width, b.height)).toBeGreaterThanOrEqual(46);
      }
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!)).toBe(false);
      const [tl, tr, br, bl] = g.marks;
      expect(tl.x + tl.width).toBeLessThan(g.area.x);
      expect(tl.y + tl.height).toBeLessThan(g.area.y);
      expect(tr.x).toBeGreaterThan(g.area.x + g.area.width);
      expect(br.y).toBeGreaterThan(g.area.y + g.area.height);
      expect(bl.x).toBe(tl.x);
      expect(tr.y).toBe(tl.y);
      // At least 8 mm from the paper's edge: inside what office printers can print.
      for (const m of g.marks) {
        expect(m.x).toBeGreaterThanOrEqual(8);
        expect(m.y).toBeGreaterThanOrEqual(8);
        expect(m.x + m.width).toBeLessThanOrEqual(g.page.width - 8);
        expect(m.y + m.height).toBeLessThanOrEqual(g.page.height - 8);
      }
    }
    expect(SEAL_SHEET_GEOMETRY.standard.rows.map((r) => r.label)).toEqual(['企业公章采集区', '法人私章采集区', '法人手写签名采集区']);
    expect(SEAL_SHEET_GEOMETRY['out-of-province'].rows.map((r) => r.kind)).toEqual([
      'company-seal',
      'legal-person-seal',
      'legal-person-signature',
      'in-gan-manager-seal',
    ]);
  });

  it('standard sheet: the seed text, three rows of two boxes drawn where the geometry says, solid marks at the corners', async () => {
    const pdf = await renderSealSheet({
      orderNo: ORDER_NO,
      unitName: '江西赣江新区示范科技发展有限责任公司',
      variant: 'standard',
      generatedAt: new Date(),
    });
    const r = await inspectPdf(pdf, 'seal-sheet');
    expectCleanPdf(r, pdf);
    for (const s of ['企业电子签章采集表', SEAL_SHEET_INSTRUCTION, SEAL_SHEET_REMARK, ORDER_NO, '江西赣江新区示范科技发展有限责任公司'])
      expect(r.flat).toContain(flat(s));
    for (const s of ['企业公章采集区', '法人私章采集区', '法人手写签名采集区']) expect(r.flat).toContain(s);
    expect(r.flat).not.toContain('入赣负责人');
    expectDrawnAsGeometry(r.pages[0]!, SEAL_SHEET_GEOMETRY.standard);
  });

  it('out-of-province sheet: a fourth row for the 入赣负责人 personal seal, with the name from the order', async () => {
    const pdf = await renderSealSheet({
      orderNo: ORDER_NO,
      unitName: '浙江省某某建设集团有限公司',
      variant: 'out-of-province',
      inGanManagerName: '司马相如',
      generatedAt: new Date(),
    });
    const r = await inspectPdf(pdf, 'seal-sheet-out-of-province');
    expectCleanPdf(r, pdf);
    for (const s of [
      '企业电子签章采集表',
      '江西省住建厅外省企业',
      SEAL_SHEET_INSTRUCTION,
      SEAL_SHEET_REMARK,
      '入赣负责人私章采集区',
      '入赣负责人：司马相如',
    ])
      expect(r.flat).toContain(flat(s));
    expect(r.flat).toContain('（司马相如）');
    expectDrawnAsGeometry(r.pages[0]!, SEAL_SHEET_GEOMETRY['out-of-province']);
  });

  /** The rendered page agrees with the constant: marks black, box interiors white, box edges inked. */
  function expectDrawnAsGeometry(
    page: Awaited<ReturnType<typeof inspectPdf>>['pages'][number],
    g: (typeof SEAL_SHEET_GEOMETRY)['standard'],
  ) {
    for (const m of g.marks) expect(brightnessAt(page, m.x + m.width / 2, m.y + m.height / 2, 2)).toBeLessThan(20);
    for (const row of g.rows)
      for (const b of row.boxes) {
        expect(brightnessAt(page, b.x + b.width / 2, b.y + b.height / 2, 15)).toBeGreaterThan(250);
        // Lines run along the box's edges (sampled at their middles, within half a millimetre).
        expect(darkestAt(page, b.x + b.width / 2, b.y)).toBeLessThan(100);
        expect(darkestAt(page, b.x + b.width / 2, b.y + b.height)).toBeLessThan(100);
        expect(darkestAt(page, b.x, b.y + b.height / 2)).toBeLessThan(100);
        expect(darkestAt(page, b.x + b.width, b.y + b.height / 2)).toBeLessThan(100);
        // …and nowhere near the middle: 5 mm inside the edge the paper is blank.
        expect(darkestAt(page, b.x + 5, b.y + b.height / 2, 0.5)).toBeGreaterThan(250);
      }
  }
});

describe('入赣负责人任命书', () => {
  it('names the 入赣负责人 from the order, the unit and its USCC, with a place for the company seal and the date', async () => {
    const pdf = await renderAppointmentLetter({
      orderNo: ORDER_NO,
      unitName: '浙江省某某建设集团有限公司',
      uscc: '91330100MA27XYZ12K',
      selfWord: '我公司',
      inGanManagerName: '司马相如',
      generatedAt: new Date(),
    });
    const r = await inspectPdf(pdf, 'appointment-letter');
    expectCleanPdf(r, pdf);
    for (const s of [
      '入赣负责人任命书',
      ORDER_NO,
      '兹任命司马相如同志为我公司入赣负责人',
      NAME_MATCH_NOTE,
      '单位名称：浙江省某某建设集团有限公司',
      '统一社会信用代码：91330100MA27XYZ12K',
      '单位（盖章）',
      '日期：年月日',
      '特此任命。',
    ])
      expect(r.flat).toContain(flat(s));
  });
});

describe('layout', () => {
  it('never starts a line with closing punctuation nor ends one with an opening mark', async () => {
    const sheet = await Sheet.create({ title: 't', subject: 't', at: new Date() });
    const text = '本协议如有修改而涉及用户的权利、义务时，江西CA将以相应的方式通知用户。（一）《用户协议》“认证成功”，'.repeat(8);
    for (const width of [40, 57.3, 83, 120]) {
      const lines = breakRuns(sheet, [{ text }], width, 10.5);
      expect(lines.map((l) => l.map((p) => p.text).join('')).join('')).toBe(text);
      for (const l of lines.slice(1)) expect('，。、；：？！）》”').not.toContain(l[0]!.text);
      for (const l of lines.slice(0, -1)) expect('（《“').not.toContain(l[l.length - 1]!.text);
    }
  });
});
