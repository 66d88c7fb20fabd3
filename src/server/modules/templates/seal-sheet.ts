/**
 * 企业电子签章采集表 (seed 004, 附件3; main keys only): three rows of two boxes — company seal, legal-person
 * seal, legal-person handwritten signature — each stamped (signed) twice, centred, off the lines. The
 * out-of-province housing variant (seed 003) adds a row for the 入赣负责人's personal seal and prints the
 * 入赣负责人's name, which must match the 入赣负责人任命书.
 *
 * The box geometry lives in SEAL_SHEET_GEOMETRY only, and the PDF is drawn from it: a later feature finds
 * the four solid registration squares in the uploaded scan, maps the page onto these millimetres and cuts
 * the seal images out of the boxes.
 */
import { A4_MM, GREY, INK, LIGHT, orderNumberBlock, Sheet, type Page } from './layout.js';

export type SealSheetVariant = 'standard' | 'out-of-province';
export type SealBoxKind = 'company-seal' | 'legal-person-seal' | 'legal-person-signature' | 'in-gan-manager-seal';

/** Millimetres from the top-left corner of the A4 page, x to the right, y downwards (as a scan is read). */
export interface MmRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SealRow {
  kind: SealBoxKind;
  /** The seed's words: 企业公章采集区, … */
  label: string;
  labelCell: MmRect;
  /** Two boxes, left then right: the seal (signature) goes in each once, centred. */
  boxes: [MmRect, MmRect];
}

export interface SealSheetLayout {
  page: { width: number; height: number };
  /** The outer frame of the box table. */
  area: MmRect;
  /** Solid black squares outside the frame's corners: top-left, top-right, bottom-right, bottom-left. */
  marks: [MmRect, MmRect, MmRect, MmRect];
  rows: SealRow[];
}

const ROW_LABELS: Record<SealBoxKind, string> = {
  'company-seal': '企业公章采集区',
  'legal-person-seal': '法人私章采集区',
  'legal-person-signature': '法人手写签名采集区',
  'in-gan-manager-seal': '入赣负责人私章采集区',
};

const FRAME = { left: 20, top: 60, width: 170, labelWidth: 40 } as const;
const MARK = { size: 6, gap: 2.5 } as const;

function layout(kinds: SealBoxKind[], rowHeight: number): SealSheetLayout {
  const { left, top, width, labelWidth } = FRAME;
  const boxWidth = (width - labelWidth) / 2;
  const rows = kinds.map((kind, i): SealRow => {
    const y = top + i * rowHeight;
    return {
      kind,
      label: ROW_LABELS[kind],
      labelCell: { x: left, y, width: labelWidth, height: rowHeight },
      boxes: [
        { x: left + labelWidth, y, width: boxWidth, height: rowHeight },
        { x: left + labelWidth + boxWidth, y, width: boxWidth, height: rowHeight },
      ],
    };
  });
  const area = { x: left, y: top, width, height: kinds.length * rowHeight };
  const s = MARK.size;
  const out = MARK.gap + s;
  const mark = (x: number, y: number): MmRect => ({ x, y, width: s, height: s });
  return {
    page: { width: A4_MM.width, height: A4_MM.height },
    area,
    marks: [
      mark(area.x - out, area.y - out),
      mark(area.x + area.width + MARK.gap, area.y - out),
      mark(area.x + area.width + MARK.gap, area.y + area.height + MARK.gap),
      mark(area.x - out, area.y + area.height + MARK.gap),
    ],
    rows,
  };
}

/**
 * The one place the seal sheet's geometry is defined (mm, origin top-left of A4). Boxes are 65 mm wide;
 * rows are 60 mm high (50 mm with the fourth row), room for a 42 mm round company seal with a margin.
 */
export const SEAL_SHEET_GEOMETRY: Readonly<Record<SealSheetVariant, SealSheetLayout>> = Object.freeze({
  standard: layout(['company-seal', 'legal-person-seal', 'legal-person-signature'], 60),
  'out-of-province': layout(['company-seal', 'legal-person-seal', 'legal-person-signature', 'in-gan-manager-seal'], 50),
});

export const SEAL_SHEET_INSTRUCTION = '【为保证采集到最清晰的电子签章，请在表格内居中盖（签）二次，切勿压线，保持页面整洁】';
export const SEAL_SHEET_REMARK = '备注：此表中的印章和签章仅限于江西省数字证书有限公司采集电子签章信息使用，用于其他一律视为无效。';

export interface SealSheetData {
  orderNo: string;
  unitName: string;
  variant: SealSheetVariant;
  /** The 入赣负责人 (out-of-province variant): the name on the 任命书. */
  inGanManagerName?: string;
  generatedAt: Date;
}

export async function renderSealSheet(d: SealSheetData): Promise<Uint8Array> {
  const g = SEAL_SHEET_GEOMETRY[d.variant];
  const outOfProvince = d.variant === 'out-of-province';
  const title = outOfProvince ? '企业电子签章采集表（外省企业）' : '企业电子签章采集表';
  const sheet = await Sheet.create({ title: `${title}（订单${d.orderNo}）`, subject: '电子签章采集', at: d.generatedAt });
  const p = sheet.page();
  orderNumberBlock(p, d.orderNo, FRAME.left, 8);

  p.text('企业电子签章采集表', 0, 30, { size: 20, bold: true, align: 'center', width: A4_MM.width });
  if (outOfProvince) p.text('（江西省住建厅外省企业）', 0, 37.5, { size: 11, bold: true, align: 'center', width: A4_MM.width });
  p.text(SEAL_SHEET_INSTRUCTION, FRAME.left, outOfProvince ? 45 : 41, { size: 10, bold: true, align: 'center', width: FRAME.width });
  const info = outOfProvince ? `单位名称：${d.unitName}\u3000\u3000入赣负责人：${d.inGanManagerName ?? ''}` : `单位名称：${d.unitName}`;
  p.paragraph([{ text: info }], FRAME.left, outOfProvince ? 53 : 51, FRAME.width, { size: 10.5, lineHeight: 5 });

  drawTable(p, g, d);
  for (const m of g.marks) p.rect(m.x, m.y, m.width, m.height, { fill: INK });

  const below = g.marks[2].y + g.marks[2].height + 5;
  const y = p.paragraph([{ text: SEAL_SHEET_REMARK }], FRAME.left, below, FRAME.width, { size: 9.5, lineHeight: 4.8 });
  p.paragraph(
    [{ text: '法人章为红色方章；印模须清晰，印章内编号每一位都要清楚，红白分明，无杂质、无底色；请勿涂画四角的黑色定位块。' }],
    FRAME.left,
    y,
    FRAME.width,
    { size: 8.5, lineHeight: 4.4, color: GREY },
  );
  p.footer(1);
  return sheet.save();
}

function drawTable(p: Page, g: SealSheetLayout, d: SealSheetData): void {
  for (const r of g.rows) {
    const c = r.labelCell;
    p.rect(c.x, c.y, c.width, c.height, { fill: LIGHT });
    // "企业公章" over "采集区": two centred lines, and the 入赣负责人's name under their row's label.
    const name = r.label.replace(/采集区$/, '');
    const lines = [name, '采集区'];
    const named = r.kind === 'in-gan-manager-seal' && d.inGanManagerName;
    const mid = c.y + c.height / 2 - (named ? 3 : 0);
    p.text(lines[0]!, c.x, mid - 3.4, { size: 11.5, bold: true, align: 'center', width: c.width });
    p.text(lines[1]!, c.x, mid + 3.4, { size: 11.5, bold: true, align: 'center', width: c.width });
    if (named) p.text(`（${d.inGanManagerName}）`, c.x, mid + 10.5, { size: 10.5, align: 'center', width: c.width });
  }
  for (const r of g.rows) for (const b of [r.labelCell, ...r.boxes]) p.rect(b.x, b.y, b.width, b.height, { border: INK, thickness: 0.9 });
  const a = g.area;
  p.rect(a.x, a.y, a.width, a.height, { border: INK, thickness: 1.5 });
}
