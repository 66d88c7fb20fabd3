/**
 * 邮寄资料清单: one printable A4 page to put in the envelope with the originals. The order number large
 * (staff match the package to the order by it), where the package goes, exactly the originals this order
 * needs with the seals each must carry and a box to tick while packing, and the seeds' packing rules
 * (订单编号 top-left, paper clip, SF or EMS). The list comes from core/paper-checklist.ts, like 受理's.
 */
import type { PaperAddress, PaperItem } from '../../../core/paper-checklist.js';
import { A4_MM, chinaDateTime, GREY, INK, LIGHT, orderNumberBlock, Sheet } from './layout.js';

export interface PaperChecklistData {
  orderNo: string;
  unitName: string;
  projectName: string;
  keyLabel: string;
  items: PaperItem[];
  mailTo: PaperAddress;
  rules: string[];
  generatedAt: Date;
}

const LEFT = 18;
const WIDTH = A4_MM.width - 2 * LEFT;
/** Table columns, mm: the packer's tick, the original (name and the seeds' words), the seals it carries. */
const COL = { tick: 10, item: 104, seals: WIDTH - 10 - 104 };

export async function renderPaperChecklist(d: PaperChecklistData): Promise<Uint8Array> {
  const sheet = await Sheet.create({ title: `邮寄资料清单（订单${d.orderNo}）`, subject: '邮寄资料清单', at: d.generatedAt });
  const p = sheet.page();
  orderNumberBlock(p, d.orderNo);
  p.text('邮寄资料清单', 0, 34, { size: 22, bold: true, align: 'center', width: A4_MM.width });

  // The order number, large: write it top-left on the application form.
  p.rect(LEFT, 42, WIDTH, 27, { border: INK, thickness: 1.2 });
  p.text('订单编号', LEFT, 47, { size: 10, color: GREY, align: 'center', width: WIDTH });
  p.text(d.orderNo, LEFT, 56, { size: 30, bold: true, align: 'center', width: WIDTH });
  p.text('请在申请表左上角写明此订单编号', LEFT, 64.5, { size: 9, color: GREY, align: 'center', width: WIDTH });

  let y = 77;
  const fact = (label: string, value: string) => {
    y = p.paragraph([{ text: `${label}：`, bold: true }, { text: value }], LEFT, y, WIDTH, { size: 10.5, lineHeight: 6 });
  };
  fact('申请单位', d.unitName);
  fact('证书项目', `${d.projectName}\u3000${d.keyLabel}`);

  // Where it goes.
  y += 2;
  const boxTop = y - 4;
  const boxLines = [
    [{ text: '寄往：', bold: true }, { text: d.mailTo.address }],
    [{ text: '收件人：', bold: true }, { text: d.mailTo.recipient }, { text: '\u3000\u3000电话：', bold: true }, { text: d.mailTo.phone }],
  ];
  const boxHeight = boxLines.reduce((h, runs) => h + p.measure(runs, WIDTH - 8, 12) * 7, 0) + 3;
  p.rect(LEFT, boxTop, WIDTH, boxHeight, { fill: LIGHT });
  y += 0.5;
  for (const runs of boxLines) y = p.paragraph(runs, LEFT + 4, y, WIDTH - 8, { size: 12, lineHeight: 7 });
  y = boxTop + boxHeight + 7;

  // The originals.
  p.text(`需要邮寄的纸质资料（共${d.items.length}项，装袋时逐项打勾）`, LEFT, y, { size: 12, bold: true });
  y += 5;
  const head = y;
  p.rect(LEFT, head, WIDTH, 7, { fill: LIGHT, border: INK, thickness: 0.6 });
  p.text('核对', LEFT, head + 3.5, { size: 9, align: 'center', width: COL.tick });
  p.text('资料（原件）', LEFT + COL.tick + 2, head + 3.5, { size: 9 });
  p.text('须加盖', LEFT + COL.tick + COL.item + 2, head + 3.5, { size: 9 });
  y = head + 7;
  d.items.forEach((item, i) => {
    const itemRuns = [{ text: `${i + 1}. ${item.name}`, bold: true }];
    const nameLines = p.measure(itemRuns, COL.item - 4, 10.5);
    const textLines = p.measure([{ text: item.text }], COL.item - 4, 8.5);
    const sealLines = item.seals.reduce((n, s) => n + p.measure([{ text: s }], COL.seals - 4, 9), 0);
    const h = Math.max(nameLines * 5.2 + textLines * 4.2, sealLines * 4.8) + 4;
    p.rect(LEFT, y, WIDTH, h, { border: INK, thickness: 0.6 });
    p.line(LEFT + COL.tick, y, LEFT + COL.tick, y + h, 0.6);
    p.line(LEFT + COL.tick + COL.item, y, LEFT + COL.tick + COL.item, y + h, 0.6);
    p.checkbox(LEFT + (COL.tick - 4.2) / 2, y + 4.6, false, 4.2);
    const iy = p.paragraph(itemRuns, LEFT + COL.tick + 2, y + 4.2, COL.item - 4, { size: 10.5, lineHeight: 5.2 });
    p.paragraph([{ text: item.text }], LEFT + COL.tick + 2, iy - 0.6, COL.item - 4, { size: 8.5, lineHeight: 4.2, color: GREY });
    let sy = y + 4.2;
    for (const s of item.seals)
      sy = p.paragraph([{ text: s }], LEFT + COL.tick + COL.item + 2, sy, COL.seals - 4, { size: 9, lineHeight: 4.8 });
    y += h;
  });

  // How to pack and send it.
  y += 8;
  p.text('邮寄说明', LEFT, y, { size: 12, bold: true });
  y += 6;
  d.rules.forEach((r, i) => {
    y = p.paragraph([{ text: `${i + 1}. ${r}` }], LEFT, y, WIDTH, { size: 9.5, lineHeight: 5.2 });
  });

  p.footer(1, `订单编号 ${d.orderNo} · 生成于 ${chinaDateTime(d.generatedAt)}（北京时间） · 江西省数字证书有限公司`);
  return sheet.save();
}
