/**
 * Real processes for tests that run the product as an operator does: a free port, a child process whose
 * output is kept (and shown when it fails to come up), readiness polling, and the nginx configuration that
 * balances across app instances. Every process started here is killed when the test process exits, even
 * when afterAll never ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const NGINX = '/usr/sbin/nginx';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET `path` on a TCP port or a Unix socket: the status, or 0 when nothing answers. */
export function httpStatus(target: { port: number } | { socketPath: string }, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ ...('port' in target ? { host: '127.0.0.1', port: target.port } : target), path: urlPath }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(5_000, () => req.destroy());
    req.end();
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

export interface Proc {
  name: string;
  proc: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<void>;
}

/**
 * Starts `command` with exactly `env` (nothing of the test's own environment leaks in), output to `logFile`,
 * and waits until `ready()` is true; throws with the log's path when it exits or does not come up.
 */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  ready: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<Proc> {
  const out = openSync(logFile, 'a');
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', out, out] });
  closeSync(out); // the child has its own copy
  running.add(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => (running.delete(proc), r())));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}); see ${logFile}`);
    if (await ready()) return { name, proc, pid: proc.pid!, logFile, exited };
    await sleep(200);
  }
  proc.kill('SIGKILL');
  throw new Error(`${name} did not come up in ${timeoutMs / 1000} s; see ${logFile}`);
}

/** Kills with `signal` and waits for the exit. */
export async function stop(p: Proc | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill(signal);
  await p.exited;
}

/**
 * nginx (Debian's nginx-light) as the load balancer in front of `upstreams`, round robin (nginx's default),
 * with the proxy headers docs/OPERATIONS.md gives; run unprivileged from `dir`. `proxyBind`: the local address
 * nginx connects to the app from (a loopback address standing for the proxy's machine).
 */
export function nginxBalancerConf(dir: string, listen: number, upstreams: number[], opts: { proxyBind?: string } = {}): string {
  const tmp = (n: string) => `${n}_temp_path ${path.join(dir, n)};`;
  return `
worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 256; }
http {
  access_log ${path.join(dir, 'access.log')};
  ${tmp('client_body')} ${tmp('proxy')} ${tmp('fastcgi')} ${tmp('uwsgi')} ${tmp('scgi')}
  upstream certdesk {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${listen};
    client_max_body_size 20m;
    location / {
      proxy_pass http://certdesk;${
        opts.proxyBind
          ? `
      proxy_bind ${opts.proxyBind};`
          : ''
      }
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 120s;
    }
  }
}
`;
}
