/**
 * Drives the real applicant flow through the app, for tests that need an order in 正在审核: register, 新制申请,
 * fill in the whole form, download the application form (which records the print), upload a scan into
 * every slot, pass 法人核验 on the sandbox FaceID page the way the legal representative's phone does, and
 * submit. Every order gets its own organization and agent mobile, so SMS counts stay per test even when
 * test files share one PostgreSQL database.
 */
import type { LightMyRequestResponse } from 'fastify';
import { idCheckChar } from '../../core/id-number.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { newMobile, type TestApp, type TestClient } from './harness.js';

const id = (first17: string) => first17 + idCheckChar(first17);

export const LEGAL_PERSON = { name: '张建华', idNumber: id('36010219700101123') };

export interface SubmittedOrder {
  /** The applicant's logged-in client. */
  c: TestClient;
  orderId: string;
  orderNo: string;
  unitName: string;
  uscc: string;
  /** 经办人手机号: where the order's SMS go. */
  agentMobile: string;
  slots: string[];
}

function must(res: LightMyRequestResponse, status: number, what: string): LightMyRequestResponse {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
  return res;
}

export async function putOrderForm(c: TestClient, orderId: string, form: Record<string, unknown>): Promise<number> {
  const formVersion = (await c.get(`/api/orders/${orderId}`)).json().order.formVersion as number;
  const res = await c.request({
    method: 'PUT',
    url: `/api/orders/${orderId}/form`,
    payload: { formVersion, form },
    headers: { 'x-csrf-token': c.csrf.org! },
  });
  return must(res, 200, 'save form').json().formVersion as number;
}

export async function uploadScan(c: TestClient, orderId: string, slot: string, seed = 1): Promise<LightMyRequestResponse> {
  const { payload, headers } = multipart([{ filename: `${slot}.png`, data: await png(160, 120, seed) }]);
  return c.request({
    method: 'POST',
    url: `/api/orders/${orderId}/documents/${slot}`,
    payload,
    headers: { ...headers, 'x-csrf-token': c.csrf.org! },
  });
}

/** 法人核验 from the legal representative's phone: the QR link, the sandbox liveness page (passed), the result. */
async function passLegalCheck(t: TestApp, qrUrl: string): Promise<void> {
  const token = /\/v\/([A-Za-z0-9_-]+)$/.exec(qrUrl)?.[1];
  if (!token) throw new Error(`no legal-check token in ${qrUrl}`);
  const phone = t.client();
  const start = must(await phone.post(`/api/legal-check/${token}/start`, LEGAL_PERSON), 200, 'legal check start');
  const redirect = new URL(start.json().redirectUrl as string);
  // Through the phone's client, so the same steps run over inject or over HTTP (testing/http-client.ts).
  const chosen = await phone.request({
    method: 'POST',
    url: '/sandbox/faceid/h5',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ BizToken: redirect.searchParams.get('BizToken')!, outcome: 'passed' }).toString(),
  });
  must(chosen, 303, 'sandbox liveness');
  const bizToken = new URL(chosen.headers.location as string).searchParams.get('token')!;
  must(await phone.post(`/api/legal-check/${token}/finish`, { bizToken }), 200, 'legal check finish');
}

/** A new organization with one order of `projectCode` (main key) in 正在审核. */
export async function submittedOrder(t: TestApp, opts: { projectCode?: string; unitName?: string } = {}): Promise<SubmittedOrder> {
  const c = t.client();
  const unitName = opts.unitName ?? '江西预审测试科技有限公司';
  const { body } = await c.register({ name: unitName });
  const uscc = body.uscc as string;
  const created = must(
    await c.post('/api/orders', { projectCode: opts.projectCode ?? 'gov-procurement', keyType: 'main', agree: true }),
    201,
    'create order',
  );
  const orderId = created.json().order.id as string;
  const orderNo = created.json().order.orderNo as string;
  const agentMobile = newMobile();
  await putOrderForm(c, orderId, {
    unit: { address: '江西省南昌市红谷滩区卧龙路1000号', unitType: 'enterprise' },
    legalPerson: { ...LEGAL_PERSON, mobile: newMobile() },
    agent: { name: '欧阳晓梅', idNumber: id('36010219900307123'), mobile: agentMobile, email: 'xiaomei@example.com' },
    invoice: { title: unitName, taxNumber: uscc, email: 'fp@example.com' },
    recipient: { name: '王五', mobile: newMobile(), address: '江西省南昌市东湖区八一大道88号' },
    ...(opts.projectCode === 'housing-out-of-province' ? { inGanManager: { name: '赵入赣' } } : {}),
  });
  must(await c.get(`/api/orders/${orderId}/templates/application-form.pdf`), 200, 'download application form');
  const view = (await c.get(`/api/orders/${orderId}`)).json() as {
    slots: { code: string }[];
    legalCheck: { url: string; required: boolean };
  };
  const slots = view.slots.map((s) => s.code);
  for (const [i, slot] of slots.entries()) must(await uploadScan(c, orderId, slot, i + 1), 201, `upload ${slot}`);
  if (view.legalCheck.required) await passLegalCheck(t, view.legalCheck.url);
  must(await c.post(`/api/orders/${orderId}/submit`), 200, 'submit');
  return { c, orderId, orderNo, unitName, uscc, agentMobile, slots };
}
