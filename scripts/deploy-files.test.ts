/**
 * The deployment files (deploy/: Dockerfile, compose.yaml, nginx.conf, the env examples) checked without a
 * container engine (none runs on the CI machine): the compose file's settings are fed through the same
 * configuration code a production instance runs at start, the web instances hold no key material, every
 * setting named is one the code reads, nginx itself accepts the site file, and the Dockerfile copies what
 * exists and starts what exists. docs/OPERATIONS.md "Containers" says what was run with a real engine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LIVE_PAY_ENV } from '../src/server/adapters/payment/config.js';
import { ALIYUN_TEMPLATE_ENV } from '../src/server/adapters/sms/port.js';
import { assertServable, loadConfig } from '../src/server/config.js';
import { caConfigFrom } from '../src/server/modules/certificates/ca-config.js';
import { signerListenFrom } from '../src/signer/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const deploy = path.join(root, 'deploy');
const read = (f: string) => readFileSync(path.join(deploy, f), 'utf8');

/** KEY=value lines of an env file (comments and blank lines skipped). */
function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?message} from deploy/.env. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v) return v;
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  volumes?: string[];
  secrets?: string[];
  profiles?: string[];
  image?: string;
  networks?: Record<string, unknown> | string[];
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; secrets: Record<string, unknown> };
const dotEnv = { ...envFile(read('env.example')), CERTDESK_PUBLIC_URL: 'https://ca.example.cn' };
const webEnvFile = envFile(read('web.env.example'));
const webs = Object.entries(compose.services).filter(([name]) => /^web\d+$/.test(name));

function environmentOf(service: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment ?? {})) env[k] = interpolate(String(v ?? ''), dotEnv);
  return env;
}

/** Every setting name the product's code reads (non-test sources). */
function settingsTheCodeReads(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name))
        for (const m of readFileSync(p, 'utf8').matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b(?:NODE_ENV|PORT|HOST)\b/g)) names.add(m[0]);
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'scripts'));
  return names;
}

describe('compose.yaml', () => {
  it('runs at least two web instances, one signer, PostgreSQL and nginx', () => {
    expect(webs.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['db', 'signer', 'nginx', 'ca-init']));
  });

  it.each(webs)('%s: its settings pass the production start checks (with sandbox providers)', (_name, web) => {
    const env: Record<string, string> = {
      ...environmentOf(web),
      // The providers' real credentials are the operator's; their own config tests cover them.
      CERTDESK_SMS: 'sandbox',
      CERTDESK_MAIL: 'sandbox',
      CERTDESK_PAY: 'sandbox',
    };
    expect(env.NODE_ENV).toBe('production');
    const config = loadConfig(env);
    expect(() => assertServable(config, env)).not.toThrow();
    expect(config.databaseUrl).toMatch(/^postgres:\/\/certdesk:[^@]+@db:5432\/certdesk$/);
    expect(config.ca.signer).toBeTruthy();
  });

  it.each(webs)('%s: holds no CA directory, no KEK and no key volume; the signer alone does', (_name, web) => {
    const env = { ...environmentOf(web), ...webEnvFile };
    for (const k of Object.keys(env)) expect(k).not.toMatch(/^CERTDESK_CA_(KEK|KEK_FILE|DIR)$/);
    expect(web.secrets ?? []).not.toContain('ca_kek');
    expect((web.volumes ?? []).filter((v) => v.split(':')[0] === 'ca')).toEqual([]);
    expect(web.env_file).toEqual(['./web.env']);
    const signer = compose.services.signer!;
    expect(signer.secrets).toEqual(['ca_kek']);
    expect(signer.volumes).toContain('ca:/var/lib/certdesk/ca');
    // Only the signer and the one-off ca-init container mount the CA.
    const withCa = Object.entries(compose.services)
      .filter(([, s]) => (s.volumes ?? []).some((v) => v.startsWith('ca:')))
      .map(([n]) => n)
      .sort();
    expect(withCa).toEqual(['ca-init', 'signer']);
  });

  it('the web instances reach the signer at the socket the signer listens on', async () => {
    const signerEnv = environmentOf(compose.services.signer!);
    const listen = await signerListenFrom(signerEnv, '/var/lib/certdesk');
    for (const [, web] of webs) expect(environmentOf(web).CERTDESK_SIGNER_URL).toBe(`unix:${listen.socketPath}`);
    expect(signerEnv.NODE_ENV).toBe('production');
    expect(signerEnv.CERTDESK_SIGNER_DATABASE_URL).toBe(environmentOf(webs[0]![1]).DATABASE_URL);
  });

  it('trusts X-Forwarded-For only from nginx, at the address the edge network gives it', () => {
    const nginx = compose.services.nginx!.networks as Record<string, { ipv4_address: string }>;
    for (const [, web] of webs) expect(environmentOf(web).CERTDESK_TRUST_PROXY).toBe(nginx.edge!.ipv4_address);
  });

  it('names only settings the code reads, and starts commands that exist', () => {
    const known = settingsTheCodeReads();
    const named = new Set<string>([...Object.keys(webEnvFile), ...Object.keys(dotEnv).filter((k) => k.startsWith('CERTDESK_CA_'))]);
    for (const [name, s] of Object.entries(compose.services))
      if (name !== 'db' && name !== 'nginx') for (const k of Object.keys(s.environment ?? {})) named.add(k);
    const unknown = [...named].filter((k) => !known.has(k));
    expect(unknown).toEqual([]);
    for (const s of Object.values(compose.services))
      if (s.command) expect(existsSync(path.join(root, s.command.at(-1)!)), s.command.join(' ')).toBe(true);
  });

  it('web.env.example lists every SMS template and every live-payment setting the providers need', () => {
    const listed = Object.keys(webEnvFile);
    expect(listed).toEqual(expect.arrayContaining([...Object.values(ALIYUN_TEMPLATE_ENV), ...LIVE_PAY_ENV]));
  });

  it('the secrets and the local settings are kept out of git and out of the image', () => {
    const gitignore = readFileSync(path.join(root, '.gitignore'), 'utf8');
    const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8');
    for (const p of ['deploy/.env', 'deploy/web.env', 'deploy/secrets']) {
      expect(gitignore).toContain(p);
      expect(dockerignore).toContain(p);
    }
    for (const p of ['data', 'node_modules', '.env']) expect(dockerignore.split('\n')).toContain(p);
  });
});

describe('compose.sdf.yaml (the server HSM and the key management centre)', () => {
  const sdf = parse(read('compose.sdf.yaml'), { merge: true }) as {
    services: Record<string, Service>;
    secrets: Record<string, { file: string }>;
  };
  /** A service as `docker compose -f compose.yaml -f compose.sdf.yaml` merges it: the override's settings win. */
  const merged = (name: string): Service => {
    const base = compose.services[name]!;
    const over = sdf.services[name] ?? {};
    return {
      ...base,
      environment: { ...base.environment, ...over.environment },
      volumes: [...(base.volumes ?? []), ...(over.volumes ?? [])],
      secrets: [...new Set([...(base.secrets ?? []), ...(over.secrets ?? [])])],
    };
  };
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('gives the signer a KMC on the device, with the env.example settings, and the password as a secret file', () => {
    const signer = merged('signer');
    const env = environmentOf(signer);
    expect(env.CERTDESK_KMC_KEK_INDEX).toBe('1');
    expect(env.CERTDESK_SDF_PASSWORD_FILE).toBe('/run/secrets/sdf_password');
    expect(signer.secrets).toEqual(['ca_kek', 'sdf_password']);
    expect(sdf.secrets.sdf_password!.file).toBe('./secrets/sdf-password');
    expect((signer.volumes ?? []).map((v) => interpolate(v, dotEnv))).toContain('/opt/hsm:/opt/hsm:ro');
    expect(env.CERTDESK_SDF_LIBRARY).toMatch(/^\/opt\/hsm\//);
    // The signer's start reads these settings as it does (src/signer/main.ts), the secrets' files standing in.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'certdesk-sdf-deploy-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'kek'), `${Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString('base64')}\n`);
    writeFileSync(path.join(dir, 'pw'), 'device-access-password\n');
    const ca = caConfigFrom(
      { ...env, CERTDESK_CA_KEK_FILE: path.join(dir, 'kek'), CERTDESK_SDF_PASSWORD_FILE: path.join(dir, 'pw'), CERTDESK_SIGNER_URL: '' },
      true,
      '/var/lib/certdesk',
    );
    expect(ca.sdf?.toJSON()).toMatchObject({ library: env.CERTDESK_SDF_LIBRARY, kmcKekIndex: 1 });
    expect(JSON.stringify(ca.sdf)).not.toContain('device-access-password');
  });

  it('ca-init may put the CA keys in the device; the web instances get no device setting at all', () => {
    const init = environmentOf(merged('ca-init'));
    expect(init).toHaveProperty('CERTDESK_CA_SDF_KEYS');
    expect(init).not.toHaveProperty('CERTDESK_KMC_KEK_INDEX');
    expect(Object.keys(sdf.services).sort()).toEqual(['ca-init', 'signer']);
    for (const [, web] of webs) for (const k of Object.keys(environmentOf(web))) expect(k).not.toMatch(/^CERTDESK_(SDF|KMC)_/);
    // Were a web instance given them, it would refuse to start (the KMC belongs beside the CA's keys).
    const web = { ...environmentOf(webs[0]![1]), CERTDESK_KMC_KEK_INDEX: '1' };
    expect(() => loadConfig(web)).toThrow(/CERTDESK_KMC_KEK_INDEX belongs to the signer only/);
  });

  it('names only settings the code reads', () => {
    const known = settingsTheCodeReads();
    const named = Object.values(sdf.services).flatMap((s) => Object.keys(s.environment ?? {}));
    expect(named.filter((k) => !known.has(k))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  it('copies from the build stage only what the build makes or the repository has', () => {
    const copied = [...text.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    for (const p of copied) {
      if (p === 'node_modules' || p === 'dist') continue; // made by npm ci and npm run build:web in the image
      expect(existsSync(path.join(root, p)), p).toBe(true);
    }
    expect(text).toMatch(/RUN npm run build:web/);
    // The migrations ship with the sources the server runs.
    expect(statSync(path.join(root, 'src/server/db/migrations')).isDirectory()).toBe(true);
  });
  it('runs the web instance unprivileged by default', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(text)![1]!;
    expect(existsSync(path.join(root, (JSON.parse(cmd) as string[]).at(-1)!))).toBe(true);
    expect(text).toMatch(/^USER certdesk$/m);
    expect(text).toMatch(/NODE_ENV=production/);
  });
});

describe('nginx.conf', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  it('is accepted by nginx itself (nginx -t), balancing over every web instance', () => {
    const site = read('nginx.conf');
    for (const [name] of webs) expect(site).toContain(`server ${name}:3000`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'certdesk-nginx-'));
    dirs.push(dir);
    // The compose service names resolve only inside its network; here they stand for loopback.
    writeFileSync(path.join(dir, 'site.conf'), site.replace(/server (web\d+):3000/g, 'server 127.0.0.1:3000'));
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {} http { access_log off; client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s; include ${dir}/site.conf; }`,
    );
    const r = spawnSync('/usr/sbin/nginx', ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
    expect(r.stderr).toContain('syntax is ok');
    expect(r.status).toBe(0);
  });
});
