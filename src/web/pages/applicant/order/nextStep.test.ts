import { describe, expect, it } from 'vitest';
import { nextStep } from './nextStep.js';

describe('nextStep', () => {
  // Issue 13, 4: a phone pays on the phone (WeChat Pay H5, Alipay WAP); only a computer scans a QR code.
  it('资料审核通过 says how a computer and a phone pay', () => {
    const { detail } = nextStep('review_passed');
    expect(detail).toContain('电脑上扫码，手机上直接付款');
    expect(detail).not.toContain('扫码付款');
  });
});
