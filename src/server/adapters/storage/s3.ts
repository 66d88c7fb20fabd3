/**
 * Ciphertext blobs in an S3-compatible bucket: Aliyun OSS, Tencent COS, MinIO, Ceph RGW (or AWS S3), through
 * the AWS SDK's S3 client (@aws-sdk/client-s3). write = PutObject, read = GetObject, remove = DeleteObject;
 * the object key is CERTDESK_S3_PREFIX + the blob's name. What goes in is already encrypted (encrypted.ts),
 * so the bucket's operator only ever holds ciphertext, and a blob copied to another key fails to decrypt.
 *
 * Addressing: virtual-host style (https://<bucket>.<endpoint host>/<key>, what OSS and COS require) unless
 * CERTDESK_S3_PATH_STYLE=1 (https://<endpoint>/<bucket>/<key>, usual for MinIO and Ceph RGW).
 *
 * The SDK's optional CRC checksums (sent by default since early 2025, as aws-chunked trailers on some
 * requests) are sent and checked only when an operation requires them: several S3-compatible services
 * refuse or mishandle them, and every read is authenticated end to end by the AES-GCM tag anyway.
 *
 * Errors: a missing object is StoredFileMissing; refused credentials, a missing bucket, a service that cannot
 * be reached or answers 5xx become StorageUnavailable (a 503 in a route, 'unavailable' in /api/health) with
 * the S3 error kept as the cause.
 *
 * Tested against a real S3 server (s3.test.ts: @20minutes/s3rver, see there why that one).
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { FILE_KEY, StorageUnavailable, StoredFileMissing, type MoveTarget } from './port.js';

export interface S3Settings {
  /** The service's address, without the bucket: https://oss-cn-hangzhou.aliyuncs.com, http://minio:9000. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (bucket in the path) instead of virtual-host style (bucket in the host name). */
  pathStyle: boolean;
  /** Prepended to every object key: '' or a folder such as 'certdesk/'. */
  prefix: string;
}

/** How long to wait for a connection, and for a response once connected (ms). */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The SDK's client for these settings. `agent` replaces the HTTP(S) agent (tests use one that resolves a
 * virtual-host name to 127.0.0.1); everything else comes from the settings.
 */
export function s3ClientFor(settings: S3Settings, agent?: { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent }): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.pathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, ...agent },
  });
}

/** The object /api/health asks about; never written (file names are 32 hex characters, so never this). */
const HEALTH_PROBE = 'certdesk-health-probe';

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidSecurity',
  'ExpiredToken',
  'InvalidToken',
  'RequestTimeTooSkewed',
]);

/** The SDK's error as CertDesk's: StorageUnavailable for anything that is not about one object. */
function unavailable(e: unknown, bucket: string): StorageUnavailable {
  if (e instanceof S3ServiceException) {
    const status = e.$metadata.httpStatusCode;
    if (CREDENTIAL_CODES.has(e.name) || status === 401 || status === 403)
      return new StorageUnavailable(
        'credentials',
        `the S3 service refused CertDesk's credentials for bucket ${bucket} (${e.name}, HTTP ${status}): check CERTDESK_S3_ACCESS_KEY_ID, CERTDESK_S3_SECRET_ACCESS_KEY, the bucket's policy and the clock`,
        { cause: e },
      );
    if (e.name === 'NoSuchBucket' || (e.name === 'NotFound' && status === 404))
      return new StorageUnavailable('bucket', `bucket ${bucket} does not exist (check CERTDESK_S3_BUCKET and CERTDESK_S3_REGION)`, {
        cause: e,
      });
    return new StorageUnavailable('error', `the S3 service answered ${e.name} (HTTP ${status ?? '?'}) for bucket ${bucket}`, { cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new StorageUnavailable('unreachable', `the S3 service for bucket ${bucket} cannot be reached: ${msg}`, { cause: e });
}

/** A missing object, as GetObject and HeadObject report it (HEAD has no body, so no error code). */
const isMissing = (e: unknown) =>
  e instanceof S3ServiceException && (e.name === 'NoSuchKey' || (e.name === 'NotFound' && e.$metadata.httpStatusCode === 404));

export function s3Backend(
  settings: S3Settings,
  client: S3Client = s3ClientFor(settings),
): MoveTarget & {
  /**
   * Whether the bucket answers with these credentials, for /api/health: HEAD of a probe object (absent or
   * present are both fine). An object request, not HeadBucket, so the check is signed and answered like
   * the reads and writes it stands for.
   */
  check(signal?: AbortSignal): Promise<void>;
} {
  const Bucket = settings.bucket;
  const keyOf = (name: string) => {
    // Names come from the encrypting store; refuse anything else rather than let it pick an object key.
    if (!FILE_KEY.test(name)) throw new Error(`invalid blob name ${JSON.stringify(name.slice(0, 64))}`);
    return `${settings.prefix}${name}`;
  };
  const write = async (name: string, bytes: Buffer) => {
    const Key = keyOf(name);
    try {
      // One PUT with a known length: S3 stores the whole object or nothing.
      await client.send(
        new PutObjectCommand({ Bucket, Key, Body: bytes, ContentLength: bytes.length, ContentType: 'application/octet-stream' }),
      );
    } catch (e) {
      throw unavailable(e, Bucket);
    }
  };
  return {
    write,
    async writeIfAbsent(name, bytes) {
      const Key = keyOf(name);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key }));
        return false;
      } catch (e) {
        if (!isMissing(e)) throw unavailable(e, Bucket);
      }
      // Not every S3-compatible service honours If-None-Match on PUT. Names are 128 random bits, so two
      // writers of one name are two movers of the same blob with the same bytes; the mover reads back.
      await write(name, bytes);
      return true;
    },
    async read(name) {
      const Key = keyOf(name);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key }));
        if (!out.Body) throw new StoredFileMissing(name);
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (e) {
        if (e instanceof StoredFileMissing) throw e;
        if (isMissing(e)) throw new StoredFileMissing(name);
        throw unavailable(e, Bucket);
      }
    },
    async remove(name) {
      const Key = keyOf(name);
      try {
        // S3 answers 204 for a key that is not there: removing a missing file is not an error.
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
      } catch (e) {
        if (isMissing(e)) return;
        throw unavailable(e, Bucket);
      }
    },
    async check(signal) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: `${settings.prefix}${HEALTH_PROBE}` }), { abortSignal: signal });
      } catch (e) {
        if (!isMissing(e)) throw unavailable(e, Bucket);
      }
    },
  };
}
