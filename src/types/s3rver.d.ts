/** The part of @20minutes/s3rver (an S3 server for tests; it ships no types) that s3.test.ts uses. */
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    /** Host names <bucket>.s3[.<region>].<serviceEndpoint> are virtual-host requests for <bucket>. */
    serviceEndpoint?: string;
    /** Accept requests whose signature does not match (the access key must still exist). */
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs: unknown[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
