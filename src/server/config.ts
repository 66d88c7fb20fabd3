/**
 * Configuration from environment variables — the one table in README.md documents each of them.
 * Production mode (NODE_ENV=production) refuses settings that are only safe for development and tests.
 */
import { ALIYUN_TEMPLATE_ENV } from './adapters/sms/port.js';
import { paymentConfigFrom, type PaymentConfig } from './adapters/payment/config.js';
import { caConfigFrom, type CaConfig } from './modules/certificates/ca-config.js';
import type { S3Settings } from './adapters/storage/s3.js';
import { hkdfSync } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseAddressList, parseTrustProxy, TrustProxyError } from './trust-proxy.js';
import { ConfigError } from './config-error.js';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  CERTDESK_DATA_DIR: z.string().default('./data'),
  CERTDESK_SECRET: z.string().optional(),
  CERTDESK_STORAGE_KEY: z.string().optional(),
  CERTDESK_STORAGE: z.enum(['database', 's3']).default('database'),
  CERTDESK_S3_ENDPOINT: z.string().optional(),
  CERTDESK_S3_REGION: z.string().optional(),
  CERTDESK_S3_BUCKET: z.string().optional(),
  CERTDESK_S3_ACCESS_KEY_ID: z.string().optional(),
  CERTDESK_S3_SECRET_ACCESS_KEY: z.string().optional(),
  CERTDESK_S3_PATH_STYLE: bool.default(false),
  CERTDESK_S3_PREFIX: z.string().default(''),
  CERTDESK_PUBLIC_URL: z.string().url().optional(),
  CERTDESK_TRUST_PROXY: z.string().optional(),
  CERTDESK_METRICS_FROM: z.string().default('127.0.0.1,::1'),
  CERTDESK_MIN_FREE_DISK_MB: z.coerce.number().int().min(0).default(200),
  CERTDESK_DEMO_DATA: bool.optional(),
  CERTDESK_CAPTCHA_FIXED: z
    .string()
    .regex(/^[0-9a-zA-Z]{4}$/)
    .optional(),
  CERTDESK_SMS: z.enum(['sandbox', 'aliyun']).default('sandbox'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().optional(),
  ALIYUN_SMS_ENDPOINT: z.string().url().default('https://dysmsapi.aliyuncs.com/'),
  ALIYUN_SMS_TEMPLATE_RESET: z.string().optional(),
  CERTDESK_MAIL: z.enum(['sandbox', 'smtp']).default('sandbox'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  CERTDESK_FACE: z.enum(['sandbox', 'tencent']).optional(),
  TENCENT_SECRET_ID: z.string().optional(),
  TENCENT_SECRET_KEY: z.string().optional(),
  TENCENT_FACEID_RULE_ID: z.string().optional(),
  TENCENT_FACEID_ENDPOINT: z.string().url().default('https://faceid.tencentcloudapi.com/'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Where pages reach the 证书助手 on the user's own PC (docs/agent.md): loopback only.
  CERTDESK_AGENT_URL: z
    .string()
    .regex(
      /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/,
      'CERTDESK_AGENT_URL must be http://127.0.0.1:<port> (the 证书助手 listens on loopback only)',
    )
    .default('http://127.0.0.1:17443'),
  // What the 下载中心 offers of the 证书助手: the files the operator put in this directory (docs/agent.md).
  CERTDESK_AGENT_DOWNLOAD_DIR: z.string().trim().min(1).optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  secret: string;
  /**
   * AES-256 key for uploaded files at rest (ID-card scans are sensitive personal information):
   * CERTDESK_STORAGE_KEY, or derived from CERTDESK_SECRET with HKDF when that is unset.
   */
  storageKey: Buffer;
  /**
   * Where the encrypted files live (adapters/storage/configured.ts): the database (the default), or an
   * S3-compatible bucket (CERTDESK_STORAGE=s3 with the CERTDESK_S3_* settings; adapters/storage/s3.ts).
   */
  storage: { kind: 'database' } | ({ kind: 's3' } & S3Settings);
  /** The 证书助手's address as pages on the user's PC call it (CERTDESK_AGENT_URL; in the CSP's connect-src). */
  agentUrl: string;
  /** The directory whose files the 下载中心 offers as the 证书助手's installer (CERTDESK_AGENT_DOWNLOAD_DIR); unset: none yet. */
  agentDownloadDir?: string;
  publicUrl?: string;
  /**
   * The reverse proxies believed about the client address and scheme (trust-proxy.ts): false = none, else
   * addresses / CIDR ranges / proxy-addr names, as Fastify's trustProxy takes them.
   */
  trustProxy: false | string[];
  /** Who may read /metrics (CERTDESK_METRICS_FROM: addresses and CIDR ranges; loopback by default). */
  metricsFrom: string[];
  /** Below this much free space in the data directory, /api/health answers 503: uploads would fail. */
  minFreeDiskBytes: number;
  demoData: boolean;
  /** When set, every captcha's answer is this string (tests and demos only; refused in production). */
  captchaFixed?: string;
  sms:
    | { kind: 'sandbox' }
    | {
        kind: 'aliyun';
        accessKeyId: string;
        accessKeySecret: string;
        signName: string;
        endpoint: string;
        templates: Record<string, string>;
      };
  /**
   * E-mail (the invoice): 'sandbox' = an SMTP server of our own inside the process, storing what it
   * receives for the development inbox; 'smtp' = the CA's mail server at SMTP_URL. Production must choose.
   */
  mail: { kind: 'sandbox'; from: string } | { kind: 'smtp'; url: string; from: string };
  /**
   * 法人核验 (face verification). 'sandbox' is the default outside production; in production it must be
   * chosen explicitly (CERTDESK_FACE=sandbox, e.g. for a staging site) — `explicit` records that — and
   * without CERTDESK_FACE production has no face verification at all ('off'): checks cannot start, so an
   * order that needs one cannot be submitted. Never a silent sandbox in production.
   */
  face:
    | { kind: 'sandbox'; explicit: boolean }
    | { kind: 'tencent'; secretId: string; secretKey: string; ruleId: string; endpoint: string }
    | { kind: 'off' };
  /** WeChat Pay / Alipay, or the sandbox provider (adapters/payment/config.ts). */
  payments: PaymentConfig;
  /** The CA core's keys, publication and URLs (modules/certificates/ca-config.ts). */
  ca: CaConfig;
  logLevel: string;
  /** Session lifetimes (ms). */
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
}

export { ConfigError };

/**
 * What serving the product in production needs beyond a loadable configuration (commands like
 * create-admin need less). SMS must be chosen explicitly: a production site on the sandbox gateway would
 * silently never send a password-reset code or a review result.
 */
export function assertServable(config: Config, env: NodeJS.ProcessEnv = process.env): void {
  if (config.env === 'production' && !env.CERTDESK_SMS)
    throw new ConfigError(
      'CERTDESK_SMS must be set in production (aliyun, or sandbox for a staging site whose SMS nobody needs to receive)',
    );
  // The same for e-mail: a silent sandbox would never deliver an invoice.
  if (config.env === 'production' && !env.CERTDESK_MAIL)
    throw new ConfigError(
      'CERTDESK_MAIL must be set in production (smtp with SMTP_URL and MAIL_FROM, or sandbox for a staging site whose mail nobody needs to receive)',
    );
  // And for payments: a silent sandbox would take "payments" that move orders without any money.
  if (config.env === 'production' && !env.CERTDESK_PAY)
    throw new ConfigError(
      'CERTDESK_PAY must be set in production (live with the WeChat Pay and Alipay merchant settings, or sandbox for a staging site)',
    );
  // And the public address: without it the 法人核验 link and the templates' QR codes would be built from
  // the request's Host / X-Forwarded-Host header, which a client can forge (issue 16, item 10).
  if (config.env === 'production' && !config.publicUrl)
    throw new ConfigError(
      'CERTDESK_PUBLIC_URL must be set in production (the https address users reach, e.g. https://ca.example.cn): the 法人核验 link, the QR codes and the certificates are built from it, never from the Host header',
    );
  // And the CA signer: a production web instance holds no CA key and no KEK (issue 17).
  if (config.env === 'production' && !config.ca.signer)
    throw new ConfigError(
      'CERTDESK_SIGNER_URL must be set in production (the CA signer service: unix:/run/certdesk/signer.sock, or https://signer:7443 with CERTDESK_SIGNER_TLS_CA/CERT/KEY); the web instances hold no CA key (docs/OPERATIONS.md)',
    );
}

const SANDBOX_MAIL_FROM = '江西CA（沙箱） <invoice@sandbox.certdesk.invalid>';

/** "Name <addr@host>" or a bare address: what goes in the From header. */
const mailFromOk = (v: string) => /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(v.trim());

const DEV_SECRET = 'certdesk-development-secret-not-for-production';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const prod = e.NODE_ENV === 'production';
  if (prod) {
    if (!e.CERTDESK_SECRET || e.CERTDESK_SECRET.length < 32)
      throw new ConfigError('CERTDESK_SECRET must be set to at least 32 random characters in production');
    if (e.CERTDESK_CAPTCHA_FIXED) throw new ConfigError('CERTDESK_CAPTCHA_FIXED is for tests and demos only and is refused in production');
    if (e.CERTDESK_DEMO_DATA) throw new ConfigError('CERTDESK_DEMO_DATA is refused in production');
  }
  const secret = e.CERTDESK_SECRET ?? DEV_SECRET;
  let trustProxy: Config['trustProxy'];
  let metricsFrom: string[];
  try {
    trustProxy = parseTrustProxy(e.CERTDESK_TRUST_PROXY, prod);
    metricsFrom = parseAddressList('CERTDESK_METRICS_FROM', e.CERTDESK_METRICS_FROM);
  } catch (err) {
    if (err instanceof TrustProxyError) throw new ConfigError(err.message);
    throw err;
  }
  const storageKey = storageKeyFrom(e.CERTDESK_STORAGE_KEY, secret, prod);
  const storage = storageFrom(e);
  const sms = smsFrom(e, env);
  const mail = mailFrom(e, env);
  const face = faceFrom(e, env, prod);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: path.resolve(e.CERTDESK_DATA_DIR),
    secret,
    storageKey,
    storage,
    agentUrl: e.CERTDESK_AGENT_URL,
    ...(e.CERTDESK_AGENT_DOWNLOAD_DIR ? { agentDownloadDir: path.resolve(e.CERTDESK_AGENT_DOWNLOAD_DIR) } : {}),
    publicUrl: e.CERTDESK_PUBLIC_URL,
    trustProxy,
    metricsFrom,
    minFreeDiskBytes: e.CERTDESK_MIN_FREE_DISK_MB * 1024 * 1024,
    demoData: e.CERTDESK_DEMO_DATA ?? !prod,
    captchaFixed: e.CERTDESK_CAPTCHA_FIXED,
    sms,
    mail,
    face,
    payments: paymentConfigFrom(env, prod),
    ca: caConfigFrom(env, prod, path.resolve(e.CERTDESK_DATA_DIR)),
    logLevel: e.LOG_LEVEL,
    sessionIdleMs: 30 * 60_000,
    sessionAbsoluteMs: 12 * 3600_000,
  };
}

type EnvVars = z.infer<typeof Env>;

/** CERTDESK_SMS and, for aliyun, its key, sign name and one template per message. */
function smsFrom(e: EnvVars, env: NodeJS.ProcessEnv): Config['sms'] {
  let sms: Config['sms'] = { kind: 'sandbox' };
  if (e.CERTDESK_SMS === 'aliyun') {
    const missing = [
      'ALIYUN_SMS_ACCESS_KEY_ID',
      'ALIYUN_SMS_ACCESS_KEY_SECRET',
      'ALIYUN_SMS_SIGN_NAME',
      ...Object.values(ALIYUN_TEMPLATE_ENV),
    ].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`CERTDESK_SMS=aliyun needs ${missing.join(', ')}`);
    sms = {
      kind: 'aliyun',
      accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID!,
      accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET!,
      signName: e.ALIYUN_SMS_SIGN_NAME!,
      endpoint: e.ALIYUN_SMS_ENDPOINT,
      templates: Object.fromEntries(Object.entries(ALIYUN_TEMPLATE_ENV).map(([t, k]) => [t, env[k]!])),
    };
  }
  return sms;
}

/** CERTDESK_MAIL and MAIL_FROM, and for smtp the server's address. */
function mailFrom(e: EnvVars, env: NodeJS.ProcessEnv): Config['mail'] {
  let mail: Config['mail'] = { kind: 'sandbox', from: e.MAIL_FROM?.trim() || SANDBOX_MAIL_FROM };
  if (e.MAIL_FROM && !mailFromOk(e.MAIL_FROM))
    throw new ConfigError('MAIL_FROM must be an e-mail address, optionally with a name: 江西CA <invoice@example.com>');
  if (e.CERTDESK_MAIL === 'smtp') {
    const missing = ['SMTP_URL', 'MAIL_FROM'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`CERTDESK_MAIL=smtp needs ${missing.join(', ')}`);
    if (!/^smtps?:\/\/[^/]+/.test(e.SMTP_URL!))
      throw new ConfigError('SMTP_URL must be smtps://user:password@host:465 (or smtp://…:587 with STARTTLS)');
    mail = { kind: 'smtp', url: e.SMTP_URL!, from: e.MAIL_FROM!.trim() };
  }
  return mail;
}

/** CERTDESK_FACE: off in production unless set, the sandbox elsewhere, or Tencent Cloud's FaceID with its key. */
function faceFrom(e: EnvVars, env: NodeJS.ProcessEnv, prod: boolean): Config['face'] {
  let face: Config['face'] =
    e.CERTDESK_FACE === 'sandbox' ? { kind: 'sandbox', explicit: true } : prod ? { kind: 'off' } : { kind: 'sandbox', explicit: false };
  if (e.CERTDESK_FACE === 'tencent') {
    const missing = ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY', 'TENCENT_FACEID_RULE_ID'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`CERTDESK_FACE=tencent needs ${missing.join(', ')}`);
    face = {
      kind: 'tencent',
      secretId: e.TENCENT_SECRET_ID!,
      secretKey: e.TENCENT_SECRET_KEY!,
      ruleId: e.TENCENT_FACEID_RULE_ID!,
      endpoint: e.TENCENT_FACEID_ENDPOINT,
    };
  }
  return face;
}

/** S3 bucket names (the rule OSS, COS, MinIO and RGW share): 3–63 of a–z 0–9 . -, a letter or digit at each end. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An object-key prefix: folders of letters, digits, '.', '_', '-' (not only dots), each ending in '/'. */
const PREFIX = /^(?:(?!\.+\/)[A-Za-z0-9._-]+\/)*$/;

/** CERTDESK_STORAGE and, for s3, the bucket's settings — each checked, each failure naming the setting. */
function storageFrom(e: z.infer<typeof Env>): Config['storage'] {
  if (e.CERTDESK_STORAGE === 'database') return { kind: 'database' };
  const required = {
    CERTDESK_S3_ENDPOINT: e.CERTDESK_S3_ENDPOINT,
    CERTDESK_S3_REGION: e.CERTDESK_S3_REGION,
    CERTDESK_S3_BUCKET: e.CERTDESK_S3_BUCKET,
    CERTDESK_S3_ACCESS_KEY_ID: e.CERTDESK_S3_ACCESS_KEY_ID,
    CERTDESK_S3_SECRET_ACCESS_KEY: e.CERTDESK_S3_SECRET_ACCESS_KEY,
  };
  const missing = Object.entries(required)
    .filter(([, v]) => !v?.trim())
    .map(([k]) => k);
  if (missing.length) throw new ConfigError(`CERTDESK_STORAGE=s3 needs ${missing.join(', ')}`);
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(e.CERTDESK_S3_ENDPOINT!.trim());
  } catch {
    endpoint = undefined;
  }
  if (
    !endpoint ||
    !/^https?:$/.test(endpoint.protocol) ||
    (endpoint.pathname !== '/' && endpoint.pathname !== '') ||
    endpoint.search ||
    endpoint.username
  )
    throw new ConfigError(
      'CERTDESK_S3_ENDPOINT must be the service address without bucket or path, e.g. https://oss-cn-hangzhou.aliyuncs.com, https://cos.ap-guangzhou.myqcloud.com or http://minio:9000',
    );
  const region = e.CERTDESK_S3_REGION!.trim();
  if (!/^[a-z0-9-]{2,64}$/.test(region))
    throw new ConfigError(
      'CERTDESK_S3_REGION must be the region name, e.g. oss-cn-hangzhou (OSS), ap-guangzhou (COS), us-east-1 (MinIO, RGW)',
    );
  const bucket = e.CERTDESK_S3_BUCKET!.trim();
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new ConfigError(
      'CERTDESK_S3_BUCKET must be a bucket name: 3–63 lower-case letters, digits, "-" or ".", starting and ending with a letter or digit',
    );
  if (!e.CERTDESK_S3_PATH_STYLE && bucket.includes('.') && endpoint.protocol === 'https:')
    throw new ConfigError(
      'CERTDESK_S3_BUCKET contains "." and cannot be reached virtual-host style over https (the certificate does not cover it): set CERTDESK_S3_PATH_STYLE=1 or rename the bucket',
    );
  if (!PREFIX.test(e.CERTDESK_S3_PREFIX))
    throw new ConfigError('CERTDESK_S3_PREFIX must be empty or folders ending in "/", e.g. certdesk/ (letters, digits, ".", "_", "-")');
  return {
    kind: 's3',
    endpoint: endpoint.origin,
    region,
    bucket,
    accessKeyId: e.CERTDESK_S3_ACCESS_KEY_ID!.trim(),
    secretAccessKey: e.CERTDESK_S3_SECRET_ACCESS_KEY!,
    pathStyle: e.CERTDESK_S3_PATH_STYLE,
    prefix: e.CERTDESK_S3_PREFIX,
  };
}

/**
 * The file-encryption key: 32 random bytes given in base64, or — when none is given — HKDF-SHA256
 * (RFC 5869) over CERTDESK_SECRET with its own label, so the HMAC secret itself never keys AES. A derived
 * key changes when the secret changes, which would make every stored file unreadable: production should
 * set CERTDESK_STORAGE_KEY (docs/OPERATIONS.md). Production never derives from the development secret
 * (it refuses to start without CERTDESK_SECRET) and refuses a key whose bytes are all the same.
 */
function storageKeyFrom(given: string | undefined, secret: string, prod: boolean): Buffer {
  if (given === undefined || given === '') {
    if (prod && secret === DEV_SECRET) throw new ConfigError('production needs CERTDESK_STORAGE_KEY or CERTDESK_SECRET');
    return Buffer.from(hkdfSync('sha256', secret, 'certdesk', 'certdesk file storage key v1', 32));
  }
  const key = /^[A-Za-z0-9+/_-]{43}=?$/.test(given) ? Buffer.from(given, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new ConfigError('CERTDESK_STORAGE_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
  if (prod && key.every((b) => b === key[0])) throw new ConfigError('CERTDESK_STORAGE_KEY is not random (all its bytes are the same)');
  return key;
}
