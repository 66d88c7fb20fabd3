import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandArgs } from './args.js';

const USAGE = '用法：npm run demo [-- --cert <证书>] [--json]';
const OPTIONS = { cert: { type: 'string' }, json: { type: 'boolean' } } as const;

function parse(args: string[]) {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const r = parseCommandArgs(OPTIONS, USAGE, { args, help: ['原因代码：1 密钥泄露'] });
  return { r, stdout: out.mock.calls.map((c) => c.join(' ')).join('\n'), stderr: err.mock.calls.map((c) => c.join(' ')).join('\n') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseCommandArgs', () => {
  it.each([
    { args: [], values: {} },
    { args: ['--json'], values: { json: true } },
    { args: ['--cert', 'audit.pem', '--json'], values: { cert: 'audit.pem', json: true } },
    { args: ['--cert=audit.pem'], values: { cert: 'audit.pem' } },
  ])('$args → the values, nothing printed', ({ args, values }) => {
    const { r, stdout, stderr } = parse(args);
    expect(r).toEqual({ values });
    expect(stdout + stderr).toBe('');
  });

  it.each([
    { args: ['--help'], name: '--help' },
    { args: ['-h'], name: '-h' },
    { args: ['--json', '--help'], name: '--help after another option' },
  ])('$name → the usage and the further help on stdout, exit code 0', ({ args }) => {
    const { r, stdout, stderr } = parse(args);
    expect(r).toEqual({ exit: 0 });
    expect(stdout).toBe(`${USAGE}\n原因代码：1 密钥泄露`);
    expect(stderr).toBe('');
  });

  it.each([
    { args: ['--role', '预审'], message: /Unknown option '--role'/ },
    { args: ['audit.pem'], message: /Unexpected argument 'audit\.pem'/ },
    { args: ['--cert'], message: /--cert <value>' argument missing/ },
    { args: ['--json=yes'], message: /does not take an argument/ },
  ])('$args → what is wrong and the usage on stderr, exit code 2', ({ args, message }) => {
    const { r, stdout, stderr } = parse(args);
    expect(r).toEqual({ exit: 2 });
    expect(stderr).toMatch(message);
    expect(stderr.split('\n').at(-1)).toBe(USAGE);
    expect(stdout).toBe('');
  });
});
