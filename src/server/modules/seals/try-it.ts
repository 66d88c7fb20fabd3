/**
 * 试用电子签章: the applicant's seal stamped on a sample A4 page, the way a relying party's PDF reader
 * shows a signed document — the seal's picture at its real size (the mm in SES_ESPictureInfo) over the
 * signature line, with the seal's details underneath. Drawn with the templates' layout (Noto Sans SC
 * subset, @cantoo/pdf-lib). The picture is taken from the stored seal's DER, i.e. what the key will carry.
 *
 * The browser shows a PNG of the page (pdftoppm from poppler-utils, already needed by the template
 * tests): phones do not show PDFs inline. The PDF itself is offered for download.
 */
import { execFile } from 'node:child_process';
import { parseSeal } from '../../../ca/seal/seal.js';
import { AppError } from '../../../core/errors.js';
import { GREY, LIGHT, MM, Sheet } from '../templates/layout.js';
import type { SealRow } from './repository.js';
import { SEAL_KIND_LABEL } from './status.js';

const day = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(d);

export async function sealTryPdf(input: { seal: SealRow; unitName: string; orderNo: string; at: Date }): Promise<Uint8Array> {
  const s = parseSeal(input.seal.der);
  const sheet = await Sheet.create({
    title: '电子签章效果预览',
    subject: `${input.unitName} ${SEAL_KIND_LABEL[input.seal.kind] ?? ''}`,
    at: input.at,
  });
  const page = sheet.page();
  page.rect(0, 0, 210, 12, { fill: LIGHT });
  page.text('示例文件 · 仅供预览电子签章效果 · 不具有法律效力', 0, 6, { size: 10, align: 'center', width: 210, color: GREY });
  page.text('合 作 确 认 函（示例）', 0, 32, { size: 18, bold: true, align: 'center', width: 210 });
  let y = 50;
  y = page.paragraph([{ text: '致：各相关单位' }], 25, y, 160, { size: 11 });
  y = page.paragraph(
    [
      { text: '兹确认，' },
      { text: input.unitName, bold: true },
      {
        text: '已在江西省数字证书有限公司办理数字证书及电子签章。本文件用于展示电子签章在 PDF 文件上的呈现效果：依赖方打开经签章的文件时，将看到与下方相同的印章图像，并可通过证书验证签章的真实性和有效性。',
      },
    ],
    25,
    y + 4,
    160,
    { size: 11, indent: 8 },
  );
  y = page.paragraph([{ text: '特此确认。' }], 25, y + 2, 160, { size: 11, indent: 8 });

  // Signature block, right-aligned, the seal over it at its real size.
  const blockTop = Math.max(y + 20, 140);
  page.text(`单位（盖章）：${input.unitName}`, 25, blockTop + 30, { size: 11, align: 'right', width: 160 });
  page.text(`日期：${day(input.at)}`, 25, blockTop + 40, { size: 11, align: 'right', width: 160 });
  const w = s.picture.widthMm;
  const h = s.picture.heightMm;
  const png = await sheet.doc.embedPng(s.picture.data);
  const cx = 150;
  const cy = blockTop + 30;
  page.pdf.drawImage(png, { x: (cx - w / 2) * MM, y: (297 - (cy + h / 2)) * MM, width: w * MM, height: h * MM });

  // What the seal says about itself.
  let iy = 232;
  page.line(25, iy - 6, 185, iy - 6, 0.5, GREY);
  page.text('电子签章信息', 25, iy, { size: 10, bold: true });
  for (const line of [
    `印章名称：${s.name}`,
    `印章编号：${s.esId}`,
    `有效期：${day(s.validStart)} 至 ${day(s.validEnd)}（与数字证书一致）`,
    `印章尺寸：${w} × ${h} 毫米，格式：GM/T 0031 电子印章，SM2/SM3 签名`,
    `订单编号：${input.orderNo}`,
  ]) {
    iy += 7;
    page.text(line, 25, iy, { size: 9, color: GREY });
  }
  return sheet.save();
}

/** Renders the first page of a PDF to PNG (poppler's pdftoppm), at `dpi`. */
export function pdfToPng(pdf: Uint8Array, dpi = 96): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'pdftoppm',
      ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', '-'],
      { encoding: 'buffer', maxBuffer: 32 * 1024 * 1024, timeout: 20_000 },
      (err, stdout) => {
        if (err) reject(new AppError('CONFLICT', '预览图片生成失败，请下载 PDF 查看'));
        else resolve(stdout);
      },
    );
    child.stdin?.end(Buffer.from(pdf));
  });
}
