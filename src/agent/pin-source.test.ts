/** The console PIN prompt: says who asks and why, does not echo the PIN, treats an empty line as cancel. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsolePinSource, type PinRequest } from './pin-source.js';

const req: PinRequest = { serial: '34ee1a3c37c8f335', label: 'ukey', purpose: 'sign', origin: 'https://ca.example.cn' };

function consoleWith(tty = false) {
  // As a terminal, readline echoes what is typed: that echo is what the prompt must swallow.
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (c: Buffer) => (shown += c.toString('utf8')));
  return { input, source: new ConsolePinSource(input, output, 1000), shown: () => shown };
}

describe('ConsolePinSource', () => {
  it('asks with the origin and purpose and returns the typed PIN without echoing it', async () => {
    const c = consoleWith(true);
    const pin = c.source.userPin(req);
    expect(c.source.busy).toBe(true);
    c.input.write('135790\n');
    expect(await pin).toBe('135790');
    expect(c.shown()).toContain('https://ca.example.cn');
    expect(c.shown()).toContain('用证书签名');
    expect(c.shown()).toContain('34ee1a3c37c8f335');
    expect(c.shown()).not.toContain('135790');
  });

  it('cancels on an empty line, times out, and insists the new PIN is typed the same twice', async () => {
    const c = consoleWith();
    const p = c.source.userPin(req);
    c.input.write('\n');
    await expect(p).rejects.toMatchObject({ code: 'PIN_CANCELLED', status: 409 });

    const t = consoleWith();
    await expect(t.source.soPin({ ...req, purpose: 'reset' })).rejects.toMatchObject({ code: 'PIN_TIMEOUT' });

    const n = consoleWith();
    const np = n.source.newUserPin({ ...req, purpose: 'change' });
    n.input.write('24681357\n');
    await new Promise((r) => setTimeout(r, 20));
    n.input.write('24681358\n');
    await expect(np).rejects.toMatchObject({ code: 'PIN_MISMATCH' });
  });
});
