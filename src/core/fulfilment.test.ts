import { describe, expect, it } from 'vitest';
import {
  missingForSms,
  normalizeTrackingNo,
  paperOriginals,
  sfTrackingUrl,
  trackingNoProblem,
  ZPaperShipmentBody,
  ZShipBody,
  type Courier,
} from './fulfilment.js';

describe('tracking numbers', () => {
  it.each<[Courier, string, boolean]>([
    ['SF', 'SF1234567890123', true],
    ['SF', 'SF123456789012', true],
    ['SF', 'sf 1234 5678 9012 3', true],
    ['SF', '123456789012', true],
    ['SF', 'SF12345678901', false],
    ['SF', 'SF12345678901234', false],
    ['SF', '1234567890123', false],
    ['SF', 'EA123456789CN', false],
    ['SF', '', false],
    ['EMS', 'EA123456789CN', true],
    ['EMS', 'ea123456789cn', true],
    ['EMS', '1234567890123', true],
    ['EMS', 'E123456789CN', false],
    ['EMS', 'EA12345678CN', false],
    ['EMS', '123456789012', false],
    ['other', 'ZTO7531', true],
    ['other', '75312345678901234567', true],
    ['other', '12345', false],
    ['other', 'A'.repeat(31), false],
    ['other', '中通123456', false],
  ])('%s %j → %s', (courier, no, ok) => {
    const p = trackingNoProblem(courier, no);
    if (ok) expect(p).toBeNull();
    else expect(p).toMatch(/[\u4e00-\u9fff]/);
  });

  it('normalizes what people type: spaces and dashes out, upper case', () => {
    expect(normalizeTrackingNo(' sf-1234 5678 9012 ')).toBe('SF123456789012');
    expect(ZShipBody.parse({ trackingNo: 'sf 1234567890123' })).toEqual({ trackingNo: 'SF1234567890123' });
  });

  it('names the field and the rule in Chinese, and wants a courier name for another courier', () => {
    const bad = ZPaperShipmentBody.safeParse({ courier: 'SF', trackingNo: 'SF123' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['trackingNo'], message: expect.stringMatching(/顺丰运单号格式不正确/) });
    const noName = ZPaperShipmentBody.safeParse({ courier: 'other', trackingNo: 'ZTO123456' });
    expect(noName.error!.issues[0]).toMatchObject({ path: ['courierName'], message: expect.stringMatching(/快递公司名称/) });
    expect(ZPaperShipmentBody.parse({ courier: 'EMS', courierName: 'ignored', trackingNo: 'ea123456789cn' })).toEqual({
      courier: 'EMS',
      trackingNo: 'EA123456789CN',
      courierName: undefined,
    });
  });

  it("links SF Express's waybill page", () => {
    expect(sfTrackingUrl('SF1234567890123')).toBe('https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF1234567890123');
  });
});

describe('the paper originals (seeds 000/001, 邮寄纸质资料)', () => {
  const codes = (o: Parameters<typeof paperOriginals>[0]) => paperOriginals(o).map((p) => p.code);

  it.each([
    [
      'main key',
      { projectCode: 'gov-procurement', keyType: 'main' as const },
      ['application-form', 'business-license', 'agent-id', 'seal-sheet', 'power-of-attorney'],
    ],
    [
      'sub key: no seal sheet (副锁无印章)',
      { projectCode: 'gov-procurement', keyType: 'sub' as const },
      ['application-form', 'business-license', 'agent-id', 'power-of-attorney'],
    ],
    [
      'out-of-province housing: the appointment letter too',
      { projectCode: 'housing-out-of-province', keyType: 'main' as const },
      ['application-form', 'business-license', 'agent-id', 'seal-sheet', 'power-of-attorney', 'appointment-letter'],
    ],
  ])('%s', (_label, o, expected) => {
    expect(codes({ ...o, orderNo: '202611201234567' })).toEqual(expected);
  });

  it('tells where to write the order number, and names the substitute for a 营业执照', () => {
    const list = paperOriginals({ projectCode: 'gov-procurement', keyType: 'main', unitType: 'medical', orderNo: '202611201234567' });
    expect(list[0]!.text).toContain('左上角写明订单编号 202611-2012-34567');
    expect(list[1]).toMatchObject({ name: '医疗机构执业许可证复印件', text: expect.stringContaining('医疗机构执业许可证') });
    expect(list[1]!.text).not.toContain('营业执照');
  });

  it('keeps the SMS list within one template variable, cutting a long list to "等N项"', () => {
    expect(missingForSms(['申请表', '营业执照复印件'])).toBe('申请表、营业执照复印件');
    const all = paperOriginals({ projectCode: 'housing-out-of-province', keyType: 'main', orderNo: '1' }).map((p) => p.name);
    const text = missingForSms(all);
    expect(text.length).toBeLessThanOrEqual(35);
    expect(text).toMatch(/^申请表、.*等6项$/);
  });
});
