import { describe, expect, it } from 'vitest';
import { searchTerms } from './search-terms.js';

describe('search terms', () => {
  it.each([
    [
      'an order number with dashes',
      '261120-5830-29174',
      { orderNo: '261120583029174', usccPrefix: '261120583029174', trackingNo: '261120583029174' },
    ],
    ['an order number typed full-width', '２６１１２０－５８３０－２９１７４', { orderNo: '261120583029174' }],
    [
      'an order number with spaces',
      ' 261120 5830 29174 ',
      { orderNo: '261120583029174', usccPrefix: '261120583029174', trackingNo: '261120583029174' },
    ],
    ['a mobile', '138 0013 8000', { mobile: '13800138000', usccPrefix: '13800138000', trackingNo: '13800138000' }],
    ['a mobile with +86', '+86 138-0013-8000', { mobile: '13800138000' }],
    ['a USCC prefix in lower case', '91360100ma35', { usccPrefix: '91360100MA35', trackingNo: '91360100MA35' }],
    ['a whole USCC with O for 0', '9136O100MA35XQ7T6B', { usccPrefix: '91360100MA35XQ7T6B', trackingNo: '9136O100MA35XQ7T6B' }],
    ['an SF waybill number as typed', 'sf 1234-5678-9012 3', { trackingNo: 'SF1234567890123' }],
    ['an EMS number (also USCC characters)', 'EA123456789CN', { usccPrefix: 'EA123456789CN', trackingNo: 'EA123456789CN' }],
    ['another courier’s number', 'ZTO75312345', { trackingNo: 'ZTO75312345' }],
    ['letters only are no courier number', 'SZVSZV', { nameLike: '%SZVSZV%' }],
    ['a unit name fragment', '江西演示', { nameLike: '%江西演示%' }],
    ['a name with Latin letters a USCC never has', 'sz', { nameLike: '%sz%' }],
    ['LIKE wildcards are taken literally', '100%_a\\b江', { nameLike: '%100\\%\\_a\\\\b江%' }],
    ['too short to be anything', '9', {}],
    ['nothing', '   ', {}],
  ])('%s', (_what, q, terms) => {
    expect(searchTerms(q)).toEqual(terms);
  });
});
