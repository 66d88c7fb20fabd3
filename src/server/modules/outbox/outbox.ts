/**
 * The outbox (docs/principles.md 3). `enqueue` runs inside the caller's transaction; the worker
 * claims due rows after commit, sends them, and retries failures with exponential backoff. A unique
 * dedupe key per event makes a second enqueue of the same event a no-op, so nothing is sent twice.
 * Claiming uses FOR UPDATE SKIP LOCKED plus a lease (locked_until), so several instances can run workers.
 */
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { SMS_TEMPLATES, SmsError, type SmsMessage, type SmsSender } from '../../adapters/sms/port.js';
import { MailError, type MailSender } from '../../adapters/mail/port.js';
import type { FileStore } from '../../adapters/storage/port.js';
import { describeError, serializeError } from '../../logging.js';
import { outboxRepository, type OutboxRow } from './repository.js';
/**
 * A failing message is retried (5 s, 10 s, … then hourly) until this long after it was queued, or sent
 * again by 管理员: an SMS gateway or mail server down for most of a day loses nothing. Only then, or at
 * once on an error that cannot pass (an illegal number), is it `dead`.
 */
export const RETRY_WINDOW_MS = 24 * 3600_000;
const LEASE_MS = 60_000;

export async function enqueueSms(db: DbOrTx, dedupeKey: string, msg: SmsMessage, now: Date): Promise<void> {
  await outboxRepository.enqueue(db, { channel: 'sms', dedupeKey, payload: msg as unknown as Record<string, unknown>, at: now });
}

/**
 * An e-mail as the outbox keeps it. Attachments are references into the encrypted file store (the invoice
 * PDF's storage key), not bytes: the row stays small and the file stays encrypted at rest until sending.
 */
export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; storageKey: string }[];
}

export async function enqueueEmail(db: DbOrTx, dedupeKey: string, msg: EmailPayload, now: Date): Promise<void> {
  await outboxRepository.enqueue(db, { channel: 'email', dedupeKey, payload: msg as unknown as Record<string, unknown>, at: now });
}

/** Once delivered (or given up), codes in the payload are no longer needed: keep the record, not the secret. */
function scrubbed(row: OutboxRow): Record<string, unknown> {
  if (row.channel !== 'sms') return row.payload;
  const msg = row.payload as unknown as SmsMessage;
  const params = { ...msg.params };
  for (const k of SMS_TEMPLATES[msg.template]?.sensitive ?? []) if (k in params) params[k] = '******';
  return { ...msg, params } as unknown as Record<string, unknown>;
}

export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** (attempts - 1), 3600_000);
}

export interface OutboxWorker {
  /** Sends what is due now; returns how many rows it handled. */
  runOnce(): Promise<number>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export interface OutboxDeps {
  db: Db;
  clock: Clock;
  sms: SmsSender;
  /** E-mail and the file store its attachments are read from. A worker without it leaves e-mail to others. */
  mail?: { sender: MailSender; files: Pick<FileStore, 'get'> };
  log: { warn: (o: object, m: string) => void; error: (o: object, m: string) => void };
}

export function outboxWorker(deps: OutboxDeps): OutboxWorker {
  const { db, clock, sms, mail, log } = deps;
  // A worker claims only what it can send, so one without a mail sender never burns an e-mail's attempts.
  const channels: OutboxRow['channel'][] = mail ? ['sms', 'email'] : ['sms'];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  function claim(): Promise<OutboxRow[]> {
    const now = clock.now();
    return outboxRepository.claimDue(db, channels, now, new Date(now.getTime() + LEASE_MS));
  }

  async function sendEmail(msg: EmailPayload): Promise<{ providerMessageId: string }> {
    if (!mail) throw new MailError('no mail sender', true);
    const attachments = [];
    for (const a of msg.attachments ?? []) {
      try {
        attachments.push({ filename: a.filename, contentType: a.contentType, content: await mail.files.get(a.storageKey) });
      } catch (e) {
        // Retried like any outage: a file stored moments ago may not be readable yet from every instance, and a
        // file restored from a backup comes back; after the retry window 管理员 sees it among dead messages.
        throw new MailError(`attachment ${a.storageKey}: ${(e as Error).name}`, true, { cause: e });
      }
    }
    return mail.sender.send({ to: msg.to, subject: msg.subject, text: msg.text, attachments });
  }

  async function deliver(row: OutboxRow): Promise<void> {
    const now = () => clock.now();
    try {
      const { providerMessageId } =
        row.channel === 'email'
          ? await sendEmail(row.payload as unknown as EmailPayload)
          : await sms.send(row.payload as unknown as SmsMessage);
      await outboxRepository.markSent(db, row.id, { sentAt: now(), providerMessageId, payload: scrubbed(row) });
    } catch (e) {
      const retryable = !(e instanceof SmsError || e instanceof MailError) || e.retryable;
      const windowStart = (row.resentAt ?? row.createdAt).getTime();
      const dead = !retryable || now().getTime() - windowStart >= RETRY_WINDOW_MS;
      // Not e.message: a failed query's message lists its parameters (the SMS text with the code).
      const error = describeError(e);
      // The provider's outage, with its cause chain: at warn while it is retried, at error once given up.
      log[dead ? 'error' : 'warn']({ outboxId: row.id, attempts: row.attempts, dead, error: serializeError(e) }, 'outbox delivery failed');
      await outboxRepository.markFailed(db, row.id, {
        status: dead ? 'dead' : 'pending',
        lastError: error.slice(0, 500),
        nextAttemptAt: new Date(now().getTime() + backoffMs(row.attempts)),
        // A dead message will never be sent: its code must not stay readable in the table either.
        ...(dead ? { payload: scrubbed(row) } : {}),
      });
    }
  }

  async function runOnce(): Promise<number> {
    if (running) return running;
    running = (async () => {
      let n = 0;
      for (;;) {
        const rows = await claim();
        if (!rows.length) return n;
        for (const r of rows) await deliver(r);
        n += rows.length;
      }
    })().finally(() => (running = undefined));
    return running;
  }

  return {
    runOnce,
    start(intervalMs = 1000) {
      timer ??= setInterval(
        () => void runOnce().catch((e: Error) => log.warn({ error: serializeError(e) }, 'outbox run failed')),
        intervalMs,
      );
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}
