/**
 * The certificate registry through the real app: CSV import of office-issued certificates (row errors in
 * Chinese, all or nothing), the main/sub rule seeing imported main keys, the public status query, and the
 * registry's search.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp, type TestClient, newUscc } from '../testing/harness.js';
import { newApplicant, staffMember } from '../testing/paid-order.js';

let t: TestApp;
let producer: TestClient;
let admin: TestClient;
let reviewer: TestClient;

beforeAll(async () => {
  t = await testApp();
  producer = (await staffMember(t, ['制证'], '钱制证')).c;
  admin = (await staffMember(t, ['管理员'], '孙管理')).c;
  reviewer = (await staffMember(t, ['预审'], '李预审')).c;
}, 60_000);
afterAll(async () => t?.close());

const HEADER = '序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期';
const serial = () => `7F${randomBytes(15).toString('hex').toUpperCase()}`;
const csv = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);

describe('CSV import (管理员, 制证)', () => {
  it('imports good rows, and the registry finds them by serial, USCC, unit name and project', async () => {
    const uscc = newUscc();
    const s1 = serial();
    const s2 = serial();
    const name = `江西导入测试${randomBytes(3).toString('hex')}有限公司`;
    const res = await producer.post('/api/staff/certificates/import', {
      csv: csv(
        `${s1},${uscc},${name},gov-procurement,主锁,${day(-100)},${day(265)}`,
        `"${s2}",${uscc},"${name}",gov-procurement,副锁,${day(-400)},${day(-35)}`,
      ),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ imported: 2 });

    const bySerial = (await producer.get(`/api/staff/certificates?key=serial&q=${s1.toLowerCase()}`)).json();
    expect(bySerial.items).toHaveLength(1);
    expect(bySerial.items[0]).toMatchObject({
      uscc,
      unitName: name,
      keyType: 'main',
      source: 'import',
      status: 'issued',
      publicStatusLabel: '有效',
    });
    const byUscc = (await reviewer.get(`/api/staff/certificates?key=uscc&q=${uscc}`)).json();
    expect(byUscc.items.map((i: { serialDisplay: string }) => i.serialDisplay).sort()).toEqual([s1, s2].sort());
    expect(byUscc.items.find((i: { serialDisplay: string }) => i.serialDisplay === s2).publicStatusLabel).toBe('已过期');
    const byName = (await producer.get(`/api/staff/certificates?key=unitName&q=${encodeURIComponent(name.slice(6, 12))}`)).json();
    expect(byName.items).toHaveLength(2);
    const detail = (await producer.get(`/api/staff/certificates/${bySerial.items[0].id}`)).json().certificate;
    expect(detail).toMatchObject({ source: 'import', hasDer: false, orderId: null });
    expect((await producer.get(`/api/staff/certificates/${bySerial.items[0].id}/download?format=pem`)).statusCode).toBe(404);
  });

  it('refuses a file with any bad row, naming line and column in Chinese, and imports nothing', async () => {
    const good = serial();
    const dup = serial();
    const res = await admin.post('/api/staff/certificates/import', {
      csv: csv(
        `${good},${newUscc()},江西好公司,gov-procurement,主锁,2025-01-01,2025-12-31`,
        `XYZ,${newUscc()},江西坏公司,gov-procurement,主锁,2025-01-01,2025-12-31`,
        `${dup},91360100MA00000000,江西坏公司,nope,主副,2025-02-30,2024-12-31`,
        `${dup},${newUscc()},江西坏公司,gov-procurement,副锁,2025-01-01,2024-12-31`,
        `${serial()},${newUscc()}`,
      ),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json().error;
    expect(body.message).toMatch(/导入失败：\d+ 处错误，未导入任何记录/);
    const msgs = Object.values(body.fields as Record<string, string>);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^第 3 行「序列号」：“XYZ”不是十六进制序列号/),
        expect.stringMatching(/^第 4 行「统一社会信用代码」：统一社会信用代码校验位不正确/),
        expect.stringMatching(/^第 4 行「项目代码」：没有代码为“nope”的证书项目/),
        expect.stringMatching(/^第 4 行「主副锁」：应填“主锁”或“副锁”/),
        expect.stringMatching(/^第 4 行「生效日期」：“2025-02-30”不是日期/),
        expect.stringMatching(/^第 5 行「序列号」：与第 4 行的序列号重复/),
        expect.stringMatching(/^第 5 行「到期日期」：到期日期应晚于生效日期/),
        expect.stringMatching(/^第 6 行：应有 7 列，此行有 2 列/),
      ]),
    );
    expect((await admin.get(`/api/staff/certificates?key=serial&q=${good}`)).json().items).toHaveLength(0);
  });

  it('refuses a wrong header, and a serial already in the registry', async () => {
    const bad = await producer.post('/api/staff/certificates/import', { csv: 'serial,uscc\n1,2\n' });
    expect(bad.statusCode).toBe(400);
    expect(Object.values(bad.json().error.fields)[0]).toMatch(/^第 1 行：表头应为：序列号,统一社会信用代码/);
    const s = serial();
    const row = `${s},${newUscc()},江西重复公司,gov-procurement,副锁,2025-01-01,2025-12-31`;
    expect((await producer.post('/api/staff/certificates/import', { csv: csv(row) })).statusCode).toBe(201);
    const again = await producer.post('/api/staff/certificates/import', { csv: csv(row) });
    expect(again.statusCode).toBe(400);
    expect(Object.values(again.json().error.fields)[0]).toMatch(/第 2 行「序列号」：登记簿中已有此序列号的证书/);
  });

  it('is refused to other roles', async () => {
    const res = await reviewer.post('/api/staff/certificates/import', { csv: csv() });
    expect(res.statusCode).toBe(403);
  });
});

describe('main/sub rule sees the registry', () => {
  it('an imported main key (valid, not revoked) makes the next online order a sub key; an expired one does not', async () => {
    const a = await newApplicant(t);
    // An expired main key for another project does not count; a valid one for this project does.
    const expired = `${serial()},${a.uscc},${a.name},construction-approval,主锁,${day(-400)},${day(-35)}`;
    expect((await producer.post('/api/staff/certificates/import', { csv: csv(expired) })).statusCode).toBe(201);
    expect((await a.c.get('/api/apply/key-choice?projectCode=construction-approval')).json().allowed).toEqual(['main']);

    const valid = `${serial()},${a.uscc},${a.name},gov-procurement,主锁,${day(-30)},${day(335)}`;
    expect((await producer.post('/api/staff/certificates/import', { csv: csv(valid) })).statusCode).toBe(201);
    const main = await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(main.statusCode).toBe(409);
    expect((await a.c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().allowed).toEqual(['sub']);
    expect(main.json().error.message).toMatch(/已办理过“.*”的主锁（含现场办理）.*只能申请不含电子签章的副锁/);
    const sub = await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'sub', agree: true });
    expect(sub.statusCode, sub.body).toBe(201);
    // The expired main key of the other project leaves its first order a main key.
    const other = await a.c.post('/api/orders', { projectCode: 'construction-approval', keyType: 'main', agree: true });
    expect(other.statusCode, other.body).toBe(201);
  });
});

describe('public status query', () => {
  it('finds a certificate by serial (any spelling) and by USCC: valid, expired; unknown serials are not found', async () => {
    const uscc = newUscc();
    const good = serial();
    const old = serial();
    const name = `江西状态测试${randomBytes(3).toString('hex')}有限公司`;
    const file = csv(
      `${good},${uscc},${name},gov-procurement,主锁,${day(-10)},${day(355)}`,
      `${old},${uscc},${name},gov-procurement,副锁,${day(-800)},${day(-435)}`,
    );
    expect((await producer.post('/api/staff/certificates/import', { csv: file })).statusCode).toBe(201);
    const anon = t.client(`10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);

    const colons = good.toLowerCase().match(/../g)!.join(':');
    const one = await anon.get(`/api/cert-status?serial=${colons}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().results).toEqual([
      expect.objectContaining({
        serial: good,
        unitName: name,
        uscc,
        project: expect.any(String),
        keyType: 'main',
        status: 'valid',
        statusLabel: '有效',
      }),
    ]);
    expect(JSON.stringify(one.json())).not.toMatch(/mobile|idNumber|agent/);
    const both = (await anon.get(`/api/cert-status?uscc=${uscc.toLowerCase()}`)).json().results;
    expect(both.map((r: { statusLabel: string }) => r.statusLabel).sort()).toEqual(['已过期', '有效']);
    expect((await anon.get(`/api/cert-status?serial=${serial()}`)).json().results).toEqual([]);
    const bad = await anon.get('/api/cert-status?serial=xyz');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.serial).toMatch(/十六进制/);
    expect((await anon.get('/api/cert-status')).statusCode).toBe(400);
  });

  it('slows down one address that queries too often', async () => {
    const anon = t.client(`10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);
    let last = 0;
    for (let i = 0; i < 62; i++) last = (await anon.get(`/api/cert-status?serial=${serial()}`)).statusCode;
    expect(last).toBe(429);
  });
});
