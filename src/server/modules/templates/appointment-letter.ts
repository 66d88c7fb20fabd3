/**
 * 入赣负责人任命书 (江西省住建厅外省企业 only, seed 003). The seeds give no text, only the rules: fill it in
 * completely, stamp the company seal, and the name must match the 入赣负责人 on the seal collection sheet.
 * So the name printed here comes from the same field of the order form as the one on the seal sheet.
 */
import { A4_MM, blankDate, chinaDateTime, GREY, orderNumberBlock, Sheet, type Run } from './layout.js';

export interface AppointmentLetterData {
  orderNo: string;
  unitName: string;
  uscc: string;
  selfWord: '我公司' | '我单位';
  inGanManagerName: string;
  generatedAt: Date;
}

export const NAME_MATCH_NOTE = '任命书中入赣负责人的姓名须与《企业电子签章采集表（外省企业）》中入赣负责人的姓名一致。';

const LEFT = 22;
const WIDTH = A4_MM.width - 2 * LEFT;
const SIZE = 13;
const EM = SIZE / (72 / 25.4);

export async function renderAppointmentLetter(d: AppointmentLetterData): Promise<Uint8Array> {
  const sheet = await Sheet.create({ title: `入赣负责人任命书（订单${d.orderNo}）`, subject: '入赣负责人任命书', at: d.generatedAt });
  const p = sheet.page();
  orderNumberBlock(p, d.orderNo);
  p.text('入赣负责人任命书', 0, 42, { size: 22, bold: true, align: 'center', width: A4_MM.width });

  const lh = 9.5;
  const body = (runs: Run[], y: number) => p.paragraph(runs, LEFT, y, WIDTH, { size: SIZE, lineHeight: lh, indent: 2 * EM });
  let y = body(
    [
      { text: '兹任命' },
      { text: d.inGanManagerName, underline: true, bold: true, minWidth: 28 },
      {
        text: `同志为${d.selfWord}入赣负责人，负责${d.selfWord}在江西省内开展业务的管理工作，并代表${d.selfWord}办理江西住建云数字证书及电子签章的相关事宜。`,
      },
    ],
    62,
  );
  y = body([{ text: '入赣负责人身份证号码：' }, { text: '', underline: true, minWidth: 72 }], y);
  y = body([{ text: '入赣负责人联系电话：' }, { text: '', underline: true, minWidth: 50 }], y);
  y = body([{ text: NAME_MATCH_NOTE }], y);
  y = body([{ text: '特此任命。' }], y);

  y += 14;
  const field = (runs: Run[]) => {
    y = p.paragraph(runs, LEFT, y, WIDTH, { size: SIZE, lineHeight: 11 });
  };
  field([{ text: '单位名称：' }, { text: d.unitName, underline: true, minWidth: 110 }]);
  field([{ text: '统一社会信用代码：' }, { text: d.uscc, underline: true, minWidth: 70 }]);
  y += 12;
  const sx = LEFT + WIDTH - 82;
  p.text('单位（盖章）：', sx, y, { size: SIZE });
  y += 22;
  p.paragraph([{ text: '日期：' }, ...blankDate(16, 9)], sx, y, 82, { size: SIZE });

  p.paragraph(
    [
      {
        text: '填写说明：请将本任命书填写完整，加盖单位公章原章后扫描上传；原件随其他纸质资料一并邮寄。仅江西省住建厅外省企业需要提供本任命书。',
      },
    ],
    LEFT,
    A4_MM.height - 32,
    WIDTH,
    { size: 9, lineHeight: 4.6, color: GREY },
  );
  p.footer(1, `订单编号 ${d.orderNo} · 生成于 ${chinaDateTime(d.generatedAt)}（北京时间）`);
  return sheet.save();
}
