/**
 * 法人授权委托书 (seed 004, 附件2) with the agent's details filled in from the order and, when the project
 * requires 法人核验, the QR code the legal representative scans: it opens this order's verification page
 * (`${baseUrl}/v/<legalToken>`, orders/legal-token.ts) and nothing else. Gender and the dates stay blank
 * lines, as in the seed, to be completed by hand (seed 003: 委托书的有效期尽量长一些).
 */
import { A4_MM, blankDate, chinaDateTime, GREY, INK, orderNumberBlock, Sheet, type Page, type Run } from './layout.js';

export interface PowerOfAttorneyData {
  orderNo: string;
  unitName: string;
  /** 我公司 for companies (the seed's word), 我单位 for other organizations. */
  selfWord: '我公司' | '我单位';
  agent: { name: string; idNumber: string; mobile: string };
  /** The 法人核验 page this order's QR code opens; null when the project does not require 法人核验. */
  legalCheckUrl: string | null;
  generatedAt: Date;
}

export const LEGAL_CHECK_INSTRUCTION = '法定代表人本人用手机微信扫码，按提示刷脸，页面显示“认证成功”后方可提交申请。';
export const AGE_NOTE = '注：代理人必须年满18岁，否则授权无效。';

const LEFT = 22;
const WIDTH = A4_MM.width - 2 * LEFT;
const SIZE = 13;
const EM = SIZE / (72 / 25.4);

export async function renderPowerOfAttorney(d: PowerOfAttorneyData): Promise<Uint8Array> {
  const sheet = await Sheet.create({ title: `法人授权委托书（订单${d.orderNo}）`, subject: '法人授权委托书', at: d.generatedAt });
  const p = sheet.page();
  orderNumberBlock(p, d.orderNo);
  p.text('法人授权委托书', 0, 42, { size: 22, bold: true, align: 'center', width: A4_MM.width });

  const lh = 9.5;
  let y = 60;
  y = p.paragraph(
    [
      { text: '兹授权委托' },
      { text: d.agent.name, underline: true, bold: true, minWidth: 28 },
      { text: `同志为${d.selfWord}合法代理人，该同志全权代表我办理数字证书` },
      { text: '新制', underline: true, bold: true, minWidth: 14 },
      { text: '业务，代理人在此过程中所签署的一切文件和处理与之有关的一切事务，我均予以承认。本委托书有效期自' },
      ...blankDate(16, 9),
      { text: '至' },
      ...blankDate(16, 9, '。'),
    ],
    LEFT,
    y,
    WIDTH,
    { size: SIZE, lineHeight: lh, indent: 2 * EM },
  );
  y = p.paragraph([{ text: '代理人无转委托权。' }], LEFT, y, WIDTH, { size: SIZE, lineHeight: lh, indent: 2 * EM });
  y = p.paragraph([{ text: '特此委托。' }], LEFT, y, WIDTH, { size: SIZE, lineHeight: lh, indent: 2 * EM });

  y += 6;
  const field = (runs: Run[]) => {
    y = p.paragraph(runs, LEFT, y, WIDTH, { size: SIZE, lineHeight: 11 });
  };
  field([
    { text: '代理人：' },
    { text: d.agent.name, underline: true, minWidth: 30 },
    { text: '\u3000性别：' },
    { text: '', underline: true, minWidth: 16 },
    { text: '\u3000手机号码：' },
    { text: d.agent.mobile, underline: true, minWidth: 36 },
  ]);
  field([{ text: '身份证号码：' }, { text: d.agent.idNumber, underline: true, minWidth: 70 }]);
  field([{ text: '单位全称：' }, { text: d.unitName, underline: true, minWidth: 100 }, { text: '（盖章）' }]);
  field([{ text: '法定代表人：' }, { text: '', underline: true, minWidth: 50 }, { text: '（签字或盖章）' }]);
  y += 8;
  field([{ text: '授权委托日期：' }, ...blankDate(16, 9)]);
  y += 2;
  p.text(AGE_NOTE, LEFT, y, { size: 11, bold: true });

  if (d.legalCheckUrl) drawLegalCheckBox(p, d.legalCheckUrl, d.orderNo);
  p.footer(1, `订单编号 ${d.orderNo} · 生成于 ${chinaDateTime(d.generatedAt)}（北京时间）`);
  return sheet.save();
}

/** The QR code and what to do with it, in a frame at the foot of the page. */
function drawLegalCheckBox(p: Page, url: string, orderNo: string): void {
  const top = 206;
  const h = 52;
  p.rect(LEFT, top, WIDTH, h, { border: INK, thickness: 1 });
  const q = 44;
  p.qr(url, LEFT + 4, top + (h - q) / 2, q);
  const tx = LEFT + q + 10;
  const tw = WIDTH - q - 14;
  p.text('法人核验（扫码刷脸）', tx, top + 8, { size: 13, bold: true });
  let y = p.paragraph([{ text: LEGAL_CHECK_INSTRUCTION, bold: true }], tx, top + 16, tw, { size: 10.5, lineHeight: 5.6 });
  y = p.paragraph([{ text: '代理人必须年满18岁，否则授权无效。' }], tx, y + 1, tw, { size: 10, lineHeight: 5.2 });
  p.paragraph(
    [{ text: `本二维码只用于订单 ${orderNo} 的法人核验，请勿转发他人；订单删除后二维码失效，重新申请须重新下载本委托书。` }],
    tx,
    y + 1,
    tw,
    { size: 9, lineHeight: 4.8, color: GREY },
  );
}
