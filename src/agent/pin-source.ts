/**
 * Where PINs come from — the seam that keeps them off the page (issue 20: "PINs and keys never reach the
 * page"). The portal asks the agent to *do* something with a token; the agent asks its own user for the PIN
 * through a PinSource, never through the HTTP request. The page learns only the outcome (signed, wrong PIN
 * with n tries left, locked, cancelled).
 *
 * Implementations: ConsolePinSource (the agent's own console window, input not echoed); a tray dialog later.
 * The SO PIN of a token the CA issued is never typed: it comes from the CA inside a one-time authorization
 * (ca/token-authorization.ts). soPin() is asked only for a new key's maker SO PIN, when 制证 initializes a
 * token the CA has not initialized before (staff at the 制证 workstation type it from the maker's sheet).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AgentError } from './token.js';

export type PinPurpose = 'sign' | 'generate' | 'write' | 'change' | 'reset' | 'init';

export interface PinRequest {
  serial: string;
  label: string;
  purpose: PinPurpose;
  /** The portal origin asking: shown to the user, so a PIN is never typed without knowing who asked. */
  origin: string;
}

export interface PinSource {
  userPin(req: PinRequest): Promise<string>;
  newUserPin(req: PinRequest): Promise<string>;
  soPin(req: PinRequest): Promise<string>;
}

export const PURPOSE_TEXT: Record<PinPurpose, string> = {
  sign: '用证书签名（证明持有 UKEY）',
  generate: '在 UKEY 上生成新密钥并制作证书请求',
  write: '把证书写入 UKEY',
  change: '修改 UKEY 用户口令',
  reset: '重置已锁定的 UKEY 用户口令',
  init: '初始化 UKEY（清空后设置初始用户口令）',
};

export const cancelled = () => new AgentError(409, 'PIN_CANCELLED', '用户在证书助手中取消了输入口令');

/** Asks on the agent's console, one question at a time, without echoing what is typed. */
export class ConsolePinSource implements PinSource {
  private queue: Promise<unknown> = Promise.resolve();
  /** True while a question owns the console (main.ts then leaves typed lines alone). */
  busy = false;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    private readonly timeoutMs = 120_000,
  ) {}

  private ask(header: string, question: string): Promise<string> {
    const run = () =>
      new Promise<string>((resolve, reject) => {
        this.busy = true;
        this.output.write(`\n${header}\n`);
        let muted = false;
        const sink = new Writable({
          write: (chunk: Buffer, _enc, done) => {
            if (!muted) this.output.write(chunk);
            done();
          },
        });
        const rl = createInterface({ input: this.input, output: sink, terminal: Boolean((this.input as { isTTY?: boolean }).isTTY) });
        const timer = setTimeout(() => {
          rl.close();
          this.busy = false;
          reject(new AgentError(408, 'PIN_TIMEOUT', '证书助手等待输入口令超时'));
        }, this.timeoutMs);
        rl.question(question, (answer) => {
          clearTimeout(timer);
          this.output.write('\n');
          rl.close();
          setImmediate(() => (this.busy = false));
          if (!answer) reject(cancelled());
          else resolve(answer);
        });
        muted = true;
      });
    this.busy = true;
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private header(req: PinRequest): string {
    return `[证书助手] ${req.origin} 请求：${PURPOSE_TEXT[req.purpose]}（UKEY ${req.label}，序列号 ${req.serial}）。直接回车表示取消。`;
  }

  userPin(req: PinRequest) {
    return this.ask(this.header(req), '请输入 UKEY 用户口令：');
  }

  async newUserPin(req: PinRequest) {
    const a = await this.ask(this.header(req), '请输入新的用户口令：');
    const b = await this.ask('', '请再输入一次新的用户口令：');
    if (a !== b) throw new AgentError(400, 'PIN_MISMATCH', '两次输入的新口令不一致');
    return a;
  }

  soPin(req: PinRequest) {
    return this.ask(
      this.header(req),
      req.purpose === 'init' ? '请输入新 UKEY 的出厂管理员口令（SO PIN，见厂商说明）：' : '请输入 UKEY 管理员口令（SO PIN）：',
    );
  }
}
