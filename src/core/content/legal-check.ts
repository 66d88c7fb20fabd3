/**
 * 法人核验 wording the server and the legal representative's page share: when the name or ID number typed on
 * the phone (or the face that passed) is not the legal representative the order names, the fix is on the
 * order, which only the clerk (经办人) can edit — so the page says who corrects what, and where.
 */
export const LEGAL_CHECK_CORRECTION =
  '如果订单中的法定代表人信息填写有误，请联系经办人登录系统，在订单的“法人信息”中更正（姓名、身份证号）后，再扫码核验。';
