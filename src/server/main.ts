/** `npm start`: open the database (migrating it), seed demo data in development, serve, run the outbox. */
import path from 'node:path';
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { assertServable, ConfigError, loadConfig } from './config.js';
import { DEMO_ORG, DEMO_STAFF, DEMO_STAFF_PASSWORD, seedDemoData } from './demo-data.js';
import { outboxWorker } from './modules/outbox/outbox.js';
import { seedCalendar } from './modules/calendar/seed-calendar.js';
import { seedCatalog } from './modules/catalog/seed-catalog.js';
import { mailSenderFor, openConfiguredDb, smsSenderFor } from './runtime.js';
import { configuredBackend, fileStoreFor } from './adapters/storage/configured.js';
import { moveFilesIntoStore } from './adapters/storage/move-files.js';
import { paymentJobs } from './modules/payments/jobs.js';
import { caJobs } from './modules/revocation/jobs.js';
import { reminderJobs } from './modules/reminders/jobs.js';
import { auditJobs } from './modules/audit/jobs.js';
import { orderCountJobs } from './modules/staff-orders/jobs.js';
import { retentionJobs } from './modules/retention/jobs.js';
import { auditRepository } from './modules/audit/repository.js';
import { existsSync } from 'node:fs';
import { expiryWarnings } from '../ca/hierarchy/renew.js';
import { caRuntime } from './modules/certificates/ca-runtime.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    assertServable(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`CertDesk: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const clock = systemClock;
  const handle = await openConfiguredDb(config);
  // Links audit rows written before the audit chain existed, once (a no-op afterwards).
  await auditRepository.ensureChain(handle.db);
  await seedCatalog(handle.db, clock.now());
  await seedCalendar(handle.db, clock.now());
  if (config.demoData) await seedDemoData(handle.db, clock.now());
  // Files an older version kept on this machine's disk — and, once the bucket is chosen, the files in the
  // database — go into the configured store, where every instance can read them (safe on every machine at
  // once; an old copy goes only once the store holds the same bytes).
  const store = configuredBackend(config, handle.db);
  const where = store.kind === 's3' ? `the S3 bucket ${config.storage.kind === 's3' ? config.storage.bucket : ''}` : 'the database';
  const moved = await moveFilesIntoStore(handle.db, path.join(config.dataDir, 'files'), store);
  if (moved.moved || moved.alreadyThere || moved.conflicts.length)
    console.log(`CertDesk: moved ${moved.moved + moved.alreadyThere} stored files into ${where}`);
  for (const name of moved.conflicts)
    console.error(`CertDesk: ${where} holds ${name} with other bytes than the copy on disk or in the database; left where it was`);

  const outbox: { worker?: ReturnType<typeof outboxWorker> } = {};
  const app = await buildApp({ config, db: handle.db, clock, onOutbox: () => void outbox.worker?.runOnce().catch(() => {}) });
  const mail = mailSenderFor(config, handle.db, clock);
  // The sandbox SMTP server listens from the start, so its port can be printed below.
  const sandboxSmtp = mail.listen ? await mail.listen() : null;
  const worker = outboxWorker({
    db: handle.db,
    clock,
    sms: smsSenderFor(config, handle.db, clock),
    mail: { sender: mail, files: fileStoreFor(config, handle.db) },
    log: app.log,
  });
  outbox.worker = worker;
  worker.start();
  const jobDeps = { db: handle.db, clock, config, log: app.log };
  const jobs = [
    paymentJobs(jobDeps),
    caJobs(jobDeps),
    reminderJobs(jobDeps),
    auditJobs(jobDeps),
    orderCountJobs(jobDeps),
    retentionJobs(jobDeps),
  ];
  for (const job of jobs) job.start();

  await app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const lines = [
    '',
    `CertDesk 已启动：${base}`,
    `  数据库：${handle.kind === 'pglite' ? `内嵌 PGlite（${config.dataDir}）` : 'PostgreSQL（DATABASE_URL）'}`,
    `  短信：${config.sms.kind === 'sandbox' ? `沙箱（开发收件箱 ${base}/dev/inbox）` : '阿里云短信'}`,
    `  邮件：${sandboxSmtp ? `沙箱 SMTP 127.0.0.1:${sandboxSmtp.port}（开发收件箱 ${base}/dev/inbox?tab=mail）` : 'SMTP（SMTP_URL）'}`,
    `  法人核验：${config.face.kind === 'sandbox' ? '沙箱（刷脸页面可模拟成功或失败）' : config.face.kind === 'tencent' ? '腾讯云人脸核身' : '未配置（需要法人核验的订单无法提交）'}`,
    `  接口文档：${base}/api/docs`,
  ];
  if (config.demoData) {
    lines.push('  演示账号（仅开发环境）：');
    lines.push(`    申请单位：统一社会信用代码 ${DEMO_ORG.uscc} / 密码 ${DEMO_ORG.password}`);
    for (const s of DEMO_STAFF)
      lines.push(`    工作人员 ${s.roles.join('、')}：${base}/staff  用户名 ${s.username} / 密码 ${DEMO_STAFF_PASSWORD}`);
  }
  if (config.captchaFixed) lines.push(`  验证码固定为 ${config.captchaFixed}（CERTDESK_CAPTCHA_FIXED，仅供测试和演示）`);
  console.log(lines.join('\n'));
  // A CA already in place is loaded now, so what needs renewing is said at start (and listed by /api/health).
  if (config.ca.signer || existsSync(path.join(config.ca.dir, 'manifest.json')))
    await caRuntime(config.ca)
      .then((ca) => {
        for (const w of expiryWarnings(ca.hierarchy, clock.now())) app.log.warn({ ca: 'expiry' }, w);
      })
      .catch((err: unknown) => app.log.warn({ err }, 'CA not loaded at start'));

  const stop = async () => {
    await app.close();
    for (const job of jobs) await job.stop();
    await worker.stop();
    await mail.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

void main();
