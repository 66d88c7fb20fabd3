/**
 * 江西CA数字证书用户协议, the full text from seed 004 (附件1, printed on the back of the application
 * form). Clause numbers (1、2、…) and sub-item marks (①②…) are added when the text is shown.
 */

export interface AgreementClause {
  text: string;
  /** Enumerated cases inside a clause (①②③…). */
  items?: string[];
}

export interface AgreementSection {
  /** With its Chinese numeral, as in the seed: "一、江西CA的权利与义务". */
  heading: string;
  clauses: AgreementClause[];
}

export interface AgreementText {
  title: string;
  preamble: string[];
  sections: AgreementSection[];
}

export const AGREEMENT: AgreementText = {
  title: '江西CA数字证书用户协议',
  preamble: [
    '数字证书用于网上作业中的身份识别和信息加密。江西省数字证书有限公司（以下简称江西CA），是工业和信息化部批准的电子认证服务机构和国家密码管理局批准的电子政务电子认证服务机构，遵照《中华人民共和国电子签名法》为用户提供数字证书相关的电子认证服务。',
    '本协议中的用户指数字证书持有人以及申请使用数字证书的实体。',
    '为了保障用户的合法权利，保证数字证书的合法使用，用户与江西CA本着自愿平等的原则达成本协议，双方共同遵守执行。',
  ],
  sections: [
    {
      heading: '一、江西CA的权利与义务',
      clauses: [
        { text: '受理并审核用户数字证书的申请，为用户发放、更新和吊销数字证书，向用户提供在线证书状况查询、证书撤销列表查询等服务。' },
        { text: '承诺发放的数字证书在有效期内不会被伪造和篡改。' },
        { text: '随着技术的进步，有权要求用户及时更新数字证书。' },
        { text: '证书存储介质在质保期内正常使用情况下出现硬件故障，将负责更换。' },
        { text: '在工作时间内，提供证书使用的电话咨询和邮件服务。' },
        { text: '不对客观意外或其它不可抗拒事件造成的操作失败或延迟承担任何损失、损害或赔偿责任。' },
        {
          text: '一旦发现下列情况之一，将吊销为用户签发的数字证书：',
          items: [
            '用户申请吊销数字证书；',
            '用户提供的信息不真实；',
            '用户没有履行双方合同规定的义务；',
            '数字证书的安全得不到保证；',
            '法律、行政法规规定的其他情形。',
          ],
        },
      ],
    },
    {
      heading: '二、用户的权利与义务',
      clauses: [
        { text: '数字证书申请通过审核并缴纳相关费用后，即可获得所申请的数字证书介质和数字证书。' },
        { text: '数字证书的有效期为一年，自签发之日起计算。数字证书到期前，用户须向江西CA续费。' },
        { text: '若需变更证书信息，应提交数字证书变更申请。' },
        { text: '收到技术更新通知后，应在规定的期限内到江西CA更新证书。' },
        { text: '提交数字证书申请时，故意或过失提供不真实资料，导致江西CA签发证书错误，因而致使他人损失时，由用户承担一切责任。' },
        {
          text: '应妥善保管江西CA签发的数字证书和密码，不得泄漏或交付他人。如因故意、过失导致他人知道或遭盗用、冒用、伪造或者篡改时，用户自行承担一切责任。',
        },
        {
          text: '如遇数字证书私钥泄露丢失、证书中的信息发生重大变更、或用户不希望继续使用数字证书的情况，用户应当立即到江西CA设立的注册机构申请吊销证书。吊销手续遵循各注册机构的规定。江西CA在接到吊销申请后，在24小时内吊销用户的数字证书。用户应当承担在证书吊销之前所有因使用数字证书而造成的责任。',
        },
        {
          text: '企业终止经营或单位解散、或用户死亡时，法定责任人（或亲属）需要携带具有法律效力的相关证明文件，向江西CA申请吊销数字证书。相关责任人应当承担其数字证书在吊销前的一切责任。',
        },
      ],
    },
    {
      heading: '三、协议生效、变更与终止',
      clauses: [
        { text: '当用户接收数字证书时，本协议即生效。' },
        { text: '本协议如有修改而涉及用户的权利、义务时，江西CA将以相应的方式通知用户。' },
      ],
    },
    {
      heading: '四、争议解决',
      clauses: [{ text: '因本协议引起的任何争议或纠纷，应通过友好协商解决。如协商不能解决，应提交法院通过诉讼解决。' }],
    },
    {
      heading: '五、附则',
      clauses: [{ text: '本协议的解释权归江西省数字证书有限公司所有。' }, { text: '本协议条款如果与国家有关法规相抵触，以国家法规为准。' }],
    },
  ],
};

/** Circled numbers for the enumerated items inside a clause. */
export const CIRCLED = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩'];

/** The agreement as plain text (numbered as in the seed), e.g. for printing on a form or hashing a version. */
export function agreementPlainText(a: AgreementText = AGREEMENT): string {
  const lines = [a.title, ...a.preamble];
  for (const s of a.sections) {
    lines.push(s.heading);
    s.clauses.forEach((c, i) => {
      lines.push(`${i + 1}、${c.text}`);
      if (c.items) lines.push(c.items.map((it, j) => `${CIRCLED[j] ?? ''}${it}`).join(''));
    });
  }
  return lines.join('\n');
}
