import { describe, expect, it } from 'vitest';
import { AGREEMENT, agreementPlainText } from './agreement.js';
import { APPLICATION_DOCUMENTS, MAIL_DOCUMENTS, UPLOAD_RULES } from './documents.js';
import {
  BEFORE_YOU_START,
  HELP_SECTIONS,
  LEGAL_PERSON_VERIFICATION,
  OFFICE_ONLY_BUSINESSES,
  ONLINE_REVOCATION,
  ORDER_FORM_NOTES,
  PAYMENT,
  PAYMENT_TROUBLESHOOTING,
  REGISTERED_MOBILE_USE,
  SUBMIT_AND_REVIEW,
} from './help.js';
import { ONLINE_FLOW } from './flow.js';
import { LEGAL_CHECK_CORRECTION } from './legal-check.js';
import { OFFICES, ON_SITE_FLOW, ON_SITE_MATERIALS } from './offices.js';
import { ORDER_STATUSES } from './order-statuses.js';
import { PROJECTS, formatPriceFen, projectByCode } from './projects.js';

describe('offices', () => {
  it('lists the 12 offices of seed 004, each with name, address and at least one phone', () => {
    expect(OFFICES).toHaveLength(12);
    for (const o of OFFICES) {
      expect(o.name.length).toBeGreaterThan(2);
      expect(o.address.length).toBeGreaterThan(5);
      expect(o.phones.length).toBeGreaterThan(0);
      for (const p of o.phones) expect(p.tel).toMatch(/^0\d{9,11}$/);
    }
    expect(new Set(OFFICES.map((o) => o.code)).size).toBe(12);
  });

  it('adds the Nanchang area code to the hall numbers the seed prints without it', () => {
    const hall = OFFICES[0]!;
    expect(hall.phones.map((p) => p.display)).toEqual(['0791-82097407', '86212680', '86212003']);
    expect(hall.phones.map((p) => p.tel)).toEqual(['079182097407', '079186212680', '079186212003']);
  });

  it('has the on-site flow and the four on-site businesses', () => {
    expect(ON_SITE_FLOW.map((s) => s.title)).toEqual(['提交资料', '前台受理', '审核资料', '制作证书', '现场缴费并领取', '制作电子签章']);
    expect(ON_SITE_MATERIALS.map((m) => m.label)).toEqual(['新办', '补办', '变更', '续费']);
    expect(ON_SITE_MATERIALS.find((m) => m.business === 'replace')!.items.join()).toContain('补办说明');
    expect(ON_SITE_MATERIALS.find((m) => m.business === 'change')!.items.join()).toContain('UKEY');
    expect(ON_SITE_MATERIALS.find((m) => m.business === 'renew')!.alternative!.items.join()).toContain('统一社会信用代码复印件');
  });
});

describe('projects', () => {
  it('has the five projects with stable codes, seed names and a purpose', () => {
    expect(PROJECTS.map((p) => p.code)).toEqual([
      'gov-procurement',
      'public-resource',
      'construction-approval',
      'housing-in-province',
      'housing-out-of-province',
    ]);
    expect(PROJECTS.map((p) => p.name)).toEqual([
      '江西省政府采购电子卖场',
      '江西省公共资源交易（医药采购）',
      '工程建设项目审批',
      '江西省住建厅省内企业',
      '江西省住建厅外省企业',
    ]);
    for (const p of PROJECTS) {
      expect(p.purpose.length).toBeGreaterThan(10);
      expect(p.keys[0]!.kind).toBe('main');
      expect(p.productionWorkingDays).toBeGreaterThan(0);
    }
  });

  it('keeps prices in integer fen, null only where the seeds state none (then flagged for an admin)', () => {
    for (const p of PROJECTS)
      for (const k of p.keys) {
        if (k.priceFen === null) expect(k.priceNeedsAdminConfirmation).toBe(true);
        else {
          expect(Number.isInteger(k.priceFen)).toBe(true);
          expect(k.priceNeedsAdminConfirmation).toBe(false);
        }
        expect(k.withSeal).toBe(k.kind === 'main');
      }
    const gov = projectByCode('gov-procurement')!;
    expect(gov.keys.map((k) => k.priceFen)).toEqual([22000, 19000]);
    expect(projectByCode('public-resource')!.keys.every((k) => k.priceFen === null)).toBe(true);
    expect(projectByCode('public-resource')!.productionWorkingDays).toBe(3);
    for (const code of ['construction-approval', 'housing-in-province', 'housing-out-of-province'])
      expect(projectByCode(code)!.keys.map((k) => k.priceFen)).toEqual([22000]);
  });

  it('records 法人核验 as required for the first three and unknown for 住建', () => {
    expect(PROJECTS.map((p) => p.legalPersonVerification)).toEqual([true, true, true, null, null]);
    expect(projectByCode('housing-out-of-province')!.extraDocuments.map((d) => d.name)).toContain('入赣负责人任命书');
  });

  it('formats prices without inventing one', () => {
    expect(formatPriceFen(22000)).toBe('220元');
    expect(formatPriceFen(19050)).toBe('190.50元');
    expect(formatPriceFen(null)).toBe('价格待确认');
  });
});

describe('order statuses', () => {
  it('are exactly the six labels of seed 001, each with a meaning', () => {
    expect(ORDER_STATUSES.map((s) => s.label)).toEqual(['正在审核', '资料审核通过', '资料审核失败', '正在受理', '制证完成', '已发放']);
    for (const s of ORDER_STATUSES) expect(s.meaning.length).toBeGreaterThan(4);
  });
});

describe('documents and help', () => {
  it('allows jpeg/jpg/png/bmp up to 1 MB', () => {
    expect([...UPLOAD_RULES.extensions]).toEqual(['jpeg', 'jpg', 'png', 'bmp']);
    expect(UPLOAD_RULES.maxBytes).toBe(1024 * 1024);
  });

  it('needs the seal sheet only for main keys and the appointment letter only out of province', () => {
    const scope = Object.fromEntries(APPLICATION_DOCUMENTS.map((d) => [d.code, d.scope]));
    expect(scope).toMatchObject({ 'seal-sheet': 'with-seal', 'appointment-letter': 'out-of-province', 'application-form': 'all' });
    expect(MAIL_DOCUMENTS[0]!.text).toContain('左上角写明订单编号');
  });

  it('has three payment tips and unique section anchors', () => {
    expect(PAYMENT_TROUBLESHOOTING).toHaveLength(3);
    expect(new Set(HELP_SECTIONS.map((s) => s.id)).size).toBe(HELP_SECTIONS.length);
  });
});

describe('agreement', () => {
  it('carries the full text with its five sections and the 24-hour revocation promise', () => {
    expect(AGREEMENT.title).toBe('江西CA数字证书用户协议');
    expect(AGREEMENT.sections.map((s) => s.heading)).toEqual([
      '一、江西CA的权利与义务',
      '二、用户的权利与义务',
      '三、协议生效、变更与终止',
      '四、争议解决',
      '五、附则',
    ]);
    const text = agreementPlainText();
    expect(text).toContain('在24小时内吊销用户的数字证书');
    expect(text).toContain('7、一旦发现下列情况之一，将吊销为用户签发的数字证书：\n①用户申请吊销数字证书；②用户提供的信息不真实；');
    expect(text).toContain('2、数字证书的有效期为一年，自签发之日起计算。');
  });
});

describe('one vocabulary (issue 13, 11)', () => {
  it('吊销 is online (我的证书), so it is not among the counter-only businesses', () => {
    expect(OFFICE_ONLY_BUSINESSES.map((b) => b.name)).toEqual(['变更', '补办', '续费', '换卡', '解锁']);
    expect(ONLINE_REVOCATION).toContain('我的证书');
    expect(BEFORE_YOU_START[0]).not.toMatch(/解锁、吊销/);
  });

  it('names no button the order page lacks, and only the status label for a rejection', () => {
    const all = [...ORDER_FORM_NOTES, ...SUBMIT_AND_REVIEW, ...BEFORE_YOU_START].join('\n');
    expect(all).not.toContain('下一步');
    expect(all).not.toMatch(/审核(未|不)通过/);
  });

  // A phone pays on the phone (WeChat Pay H5, Alipay WAP); only a computer shows a QR code to scan.
  it.each([
    ['the flow’s 付款 step', ONLINE_FLOW.find((s) => s.title === '付款')!.detail],
    ['what to do at 资料审核通过', ORDER_STATUSES.find((s) => s.code === 'review_passed')!.applicantAction],
    ['the help manual’s 在线付款', PAYMENT.join('\n')],
  ])('%s says a phone pays on the phone, not only by scanning a code', (_, text) => {
    expect(text).toMatch(/手机上直接付款|直接在手机上付款/);
    expect(text).not.toContain('扫码付款');
  });

  it('法人核验 help says who corrects a mismatch, and that 重试 keeps what was typed (issue 13, 18)', () => {
    const text = LEGAL_PERSON_VERIFICATION.join('\n');
    expect(text).toContain(LEGAL_CHECK_CORRECTION);
    expect(text).toMatch(/重试.*保留/);
  });

  it('sends the order’s SMS to the 经办人, not the registered mobile', () => {
    expect(REGISTERED_MOBILE_USE).toContain('经办人手机');
    expect(REGISTERED_MOBILE_USE).not.toMatch(/^用于接收审核结果/);
  });
});
