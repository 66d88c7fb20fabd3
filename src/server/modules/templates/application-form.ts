/**
 * 数字证书用户申请表 (seed 004, 附件1), the online-business edition: filled from the order, with the order
 * number where applicants are told to write it (top left, seed 003) and a QR code naming the order and the
 * data version it was printed from (qr-payload.ts). Page 2 is the 江西CA数字证书用户协议, which seed 004
 * says must be printed on the back of the form.
 */
import { AGREEMENT, CIRCLED } from '../../../core/content/agreement.js';
import { A4_MM, blankDate, chinaDateTime, GREY, INK, LIGHT, orderNumberBlock, Sheet, type Page, type Run } from './layout.js';

export interface ApplicationFormData {
  orderNo: string;
  formVersion: number;
  projectName: string;
  /** 主锁（含电子签章） / 副锁（无电子签章） */
  keyLabel: string;
  unitName: string;
  uscc: string;
  address: string;
  agent: { name: string; idNumber: string; mobile: string; email: string };
  qrPayload: string;
  generatedAt: Date;
}

/** The seed's 申请类别 choices; online business is only 新办 (新制). */
const CATEGORIES = ['新办', '更新', '补办', '换卡', '解锁', '吊销', '变更'] as const;

export const DECLARATION =
  '本单位在此郑重声明：表内所填内容完全属实，接受据此颁发的数字证书，保证遵守所附《江西CA数字证书用户协议》中所明确的职责，并承担相关法律责任。';

export const ONLINE_ONLY = '线上业务专用表格';

const LEFT = 20;
const WIDTH = A4_MM.width - 2 * LEFT;
const COL = { section: 13, label: 42 } as const;
const PAD = 3.5;

type Row = { label: string; required?: boolean; height: number; draw: (p: Page, x: number, y: number, w: number, h: number) => void };

export async function renderApplicationForm(d: ApplicationFormData): Promise<Uint8Array> {
  const sheet = await Sheet.create({ title: `数字证书用户申请表（订单${d.orderNo}）`, subject: ONLINE_ONLY, at: d.generatedAt });
  drawForm(sheet.page(), d);
  drawAgreement(sheet.page(), d);
  return sheet.save();
}

// long: the printed form's layout written out top to bottom, each line at its millimetre position on the page
function drawForm(p: Page, d: ApplicationFormData): void {
  orderNumberBlock(p, d.orderNo);
  p.qr(d.qrPayload, 164, 7, 27);
  p.text('扫码核对订单编号及表格版本', 160, 35.5, { size: 6.5, color: GREY, align: 'center', width: 35 });

  p.text('数字证书用户申请表', 0, 33, { size: 20, bold: true, align: 'center', width: A4_MM.width });
  p.text(`（${ONLINE_ONLY}）`, 0, 41.5, { size: 12, bold: true, align: 'center', width: A4_MM.width });

  let y = 50;
  p.text('注意事项：', LEFT, y, { size: 9.5, bold: true });
  const notes = [
    '1、请用户在申请前仔细阅读《江西CA数字证书用户协议》（印于本表背面）。',
    '2、该表内容将作为数字证书中的身份信息，请如实、清晰的填写，并加盖申请单位的公章。',
    `3、本表为${ONLINE_ONLY}，由系统根据订单自动生成，只适用于在线新制（新办）业务，现场办理业务的表格无效；单位名称、统一社会信用代码或证书项目变更后，须重新下载本表。`,
  ];
  y += 5;
  for (const n of notes) y = p.paragraph([{ text: n }], LEFT, y, WIDTH, { size: 9.5, lineHeight: 4.6 });

  const value =
    (text: string) =>
    (pg: Page, x: number, yy: number, w: number, h: number): void =>
      fitValue(pg, text, x + PAD, yy, w - 2 * PAD, h);
  const sections: { name: string; rows: Row[] }[] = [
    {
      name: '业务类别',
      rows: [
        { label: '项目名称', height: 12, draw: value(d.projectName) },
        { label: '证书类型', height: 12, draw: value(d.keyLabel) },
        {
          label: '申请类别',
          height: 12,
          draw: (pg, x, yy, _w, h) => {
            let cx = x + PAD;
            for (const c of CATEGORIES) {
              pg.checkbox(cx, yy + h / 2, c === '新办');
              cx += 4.6;
              cx += pg.text(c, cx, yy + h / 2, { size: 10.5, bold: c === '新办' }) + 3.2;
            }
          },
        },
      ],
    },
    {
      name: '申请机构信息',
      rows: [
        { label: '单位名称', required: true, height: 13, draw: value(d.unitName) },
        { label: '通信地址', required: true, height: 15, draw: value(d.address) },
        { label: '统一社会信用代码', required: true, height: 12, draw: value(d.uscc) },
      ],
    },
    {
      name: '经办人信息',
      rows: [
        { label: '姓名', required: true, height: 12, draw: value(d.agent.name) },
        { label: '身份证号', required: true, height: 12, draw: value(d.agent.idNumber) },
        { label: '联系电话', required: true, height: 12, draw: value(d.agent.mobile) },
        { label: '电子邮箱', height: 12, draw: value(d.agent.email) },
      ],
    },
  ];

  const top = y;
  const valueX = LEFT + COL.section + COL.label;
  const valueW = WIDTH - COL.section - COL.label;
  // Cell rules are collected and drawn after every shaded cell, so no fill paints over half a line.
  const rules: [number, number, number, number][] = [];
  for (const s of sections) {
    const h = s.rows.reduce((t, r) => t + r.height, 0);
    p.rect(LEFT, y, COL.section, h, { fill: LIGHT });
    p.vertical(s.name, LEFT, y, COL.section, h, { size: 10.5, bold: true });
    for (const r of s.rows) {
      p.rect(LEFT + COL.section, y, COL.label, r.height, { fill: LIGHT });
      // Labels are justified to the width of four characters (longer ones keep their own width) and centred.
      const w = Math.max(p.sheet.width(r.label, 10.5), p.sheet.width('单位名称', 10.5) + 6);
      const lx = LEFT + COL.section + (COL.label - w) / 2 - 1;
      p.spaced(r.label, lx, y + r.height / 2, w, { size: 10.5 });
      if (r.required) p.text('*', lx + w + 0.8, y + r.height / 2, { size: 10.5, bold: true });
      r.draw(p, valueX, y, valueW, r.height);
      y += r.height;
      rules.push([LEFT + COL.section, y, LEFT + WIDTH, y]);
    }
    rules.push([LEFT, y, LEFT + WIDTH, y]);
  }

  // 申请机构声明: the seed's sentence, then room for the company seal above 申请单位（盖章）.
  const declH = 58;
  p.rect(LEFT, y, COL.section, declH, { fill: LIGHT });
  p.vertical('申请机构声明', LEFT, y, COL.section, declH, { size: 10.5, bold: true });
  const dx = LEFT + COL.section + 6;
  const dw = WIDTH - COL.section - 12;
  p.paragraph([{ text: DECLARATION }], dx, y + 8, dw, { size: 11, lineHeight: 6.4, indent: 2 * (11 / (72 / 25.4)) });
  const sx = LEFT + WIDTH - 82;
  p.text('申请单位（盖章）：', sx, y + declH - 18, { size: 11 });
  p.paragraph([{ text: '申请日期：' }, ...blankDate()], sx, y + declH - 8, 78, { size: 11 });
  const bottom = y + declH;

  for (const [x1, y1, x2, y2] of rules) p.line(x1, y1, x2, y2);
  p.line(LEFT + COL.section, top, LEFT + COL.section, bottom);
  p.line(valueX, top, valueX, y);
  // The outer frame, heavier, as printed forms have it.
  p.rect(LEFT, top, WIDTH, bottom - top, { border: INK, thickness: 1.2 });

  p.paragraph(
    [
      {
        text: '请双面打印：第2页《江西CA数字证书用户协议》须印在本表背面；单面打印的，须在用户协议上另行加盖公章。盖章后扫描上传，原件随其他纸质资料邮寄，并在左上角写明订单编号。',
      },
    ],
    LEFT,
    bottom + 6,
    WIDTH,
    { size: 8.5, lineHeight: 4.2, color: GREY },
  );
  p.footer(1, `订单编号 ${d.orderNo} · 表格版本 v${d.formVersion} · 生成于 ${chinaDateTime(d.generatedAt)}（北京时间）`);
}

/** A field value in its cell: one line at 12 pt if it fits, else wrapped at a smaller size. */
function fitValue(p: Page, text: string, x: number, y: number, w: number, h: number): void {
  const runs: Run[] = [{ text }];
  for (const size of [12, 11, 10, 9, 8]) {
    const lh = (size / (72 / 25.4)) * 1.35;
    const n = p.measure(runs, w, size);
    if (n === 1 || n * lh <= h - 2) {
      p.paragraph(runs, x, y + h / 2 - ((n - 1) * lh) / 2, w, { size, lineHeight: lh });
      return;
    }
  }
  p.paragraph(runs, x, y + 3, w, { size: 8, lineHeight: 3.8 });
}

/** Page 2: the agreement, as large as fits on one page. */
function drawAgreement(p: Page, d: ApplicationFormData): void {
  p.text(AGREEMENT.title, 0, 20, { size: 16, bold: true, align: 'center', width: A4_MM.width });
  type Block = { runs: Run[]; heading?: boolean; indent: boolean };
  const blocks: Block[] = AGREEMENT.preamble.map((t) => ({ runs: [{ text: t }], indent: true }));
  for (const s of AGREEMENT.sections) {
    blocks.push({ runs: [{ text: s.heading, bold: true }], heading: true, indent: false });
    s.clauses.forEach((c, i) => {
      blocks.push({ runs: [{ text: `${i + 1}、${c.text}` }], indent: true });
      if (c.items) blocks.push({ runs: [{ text: c.items.map((it, j) => `${CIRCLED[j] ?? ''}${it}`).join('') }], indent: true });
    });
  }
  const top = 30;
  const limit = A4_MM.height - 22;
  const mm = (pt: number) => pt / (72 / 25.4);
  let size = 10.5;
  const height = (sz: number) =>
    blocks.reduce((h, b) => h + p.measure(b.runs, WIDTH, sz, b.indent ? mm(sz) * 2 : 0) * mm(sz) * 1.6 + mm(sz) * 0.35, 0);
  while (size > 7.5 && top + height(size) > limit) size -= 0.25;
  let y = top + mm(size) * 0.8;
  for (const b of blocks) {
    const lh = mm(size) * 1.6;
    y = p.paragraph(b.runs, LEFT, y, WIDTH, { size, lineHeight: lh, indent: b.indent ? mm(size) * 2 : 0 }) + mm(size) * 0.35;
  }
  p.footer(2, `订单编号 ${d.orderNo} · 本协议印于《数字证书用户申请表》背面`);
}
