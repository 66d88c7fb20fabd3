/**
 * How long the generated templates take (issue 3: a PDF should take well under a second).
 * Baseline in the same run: the cheapest PDF pdf-lib can make (one empty A4 page, no font), so the
 * figure reads as "N times the library's floor" as well as in milliseconds.
 *
 *   npx tsx bench/templates.ts
 */
import { PDFDocument } from '@cantoo/pdf-lib';
import { renderApplicationForm } from '../src/server/modules/templates/application-form.js';
import { renderAppointmentLetter } from '../src/server/modules/templates/appointment-letter.js';
import { renderPowerOfAttorney } from '../src/server/modules/templates/power-of-attorney.js';
import { applicationFormQrPayload } from '../src/server/modules/templates/qr-payload.js';
import { renderSealSheet } from '../src/server/modules/templates/seal-sheet.js';

const ORDER_NO = '261120583029174';
const unitName = '江西赣江新区示范科技发展有限责任公司';
const agent = { name: '欧阳晓梅', idNumber: '36010219900307123X', mobile: '13900139002', email: 'ouyang.xiaomei@example.com' };
const at = new Date('2026-11-20T02:30:00Z');

const cases: Record<string, () => Promise<Uint8Array>> = {
  'baseline: empty A4 page': async () => {
    const d = await PDFDocument.create();
    d.addPage([595.28, 841.89]);
    return d.save();
  },
  'application form (2 pages)': () =>
    renderApplicationForm({
      orderNo: ORDER_NO,
      formVersion: 7,
      projectName: '江西省政府采购电子卖场',
      keyLabel: '主锁（含电子签章）',
      unitName,
      uscc: '91360100MA35XQ7T6B',
      address: '江西省南昌市红谷滩新区卧龙路1000号',
      agent,
      qrPayload: applicationFormQrPayload('bench', { orderNo: ORDER_NO, formVersion: 7, identity: '[]' }),
      generatedAt: at,
    }),
  'power of attorney': () =>
    renderPowerOfAttorney({
      orderNo: ORDER_NO,
      unitName,
      selfWord: '我公司',
      agent,
      legalCheckUrl: 'https://ca.example.cn/v/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      generatedAt: at,
    }),
  'seal sheet (out of province)': () =>
    renderSealSheet({ orderNo: ORDER_NO, unitName, variant: 'out-of-province', inGanManagerName: '王五', generatedAt: at }),
  'appointment letter': () =>
    renderAppointmentLetter({
      orderNo: ORDER_NO,
      unitName,
      uscc: '91360100MA35XQ7T6B',
      selfWord: '我公司',
      inGanManagerName: '王五',
      generatedAt: at,
    }),
};

const RUNS = 20;
const results: { name: string; medianMs: number; p95Ms: number; kb: number }[] = [];
for (const [name, render] of Object.entries(cases)) {
  const first = performance.now();
  const bytes = await render(); // warm-up; the first template also loads the fonts
  const coldMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await render();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  results.push({ name, medianMs: times[RUNS / 2]!, p95Ms: times[Math.floor(RUNS * 0.95)]!, kb: bytes.byteLength / 1024 });
  if (coldMs > times[RUNS / 2]! * 3) console.log(`(${name}: first render ${coldMs.toFixed(0)} ms, fonts loading)`);
}
const base = results[0]!.medianMs;
console.log('template                        median ms   p95 ms   × baseline   size KB');
for (const r of results)
  console.log(
    `${r.name.padEnd(32)}${r.medianMs.toFixed(1).padStart(9)}${r.p95Ms.toFixed(1).padStart(9)}${(r.medianMs / base).toFixed(1).padStart(12)}${r.kb.toFixed(0).padStart(10)}`,
  );
