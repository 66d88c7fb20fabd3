/**
 * The face-verification port (法人核验). The legal-check use cases talk to a FaceVerifier only: start a
 * check for a named person and get a page to send their phone to; later, ask how it ended. Adapters: the
 * Tencent Cloud FaceID client (tencent.ts), which also drives the sandbox gateway (sandbox-gateway.ts) —
 * the same client code in both cases, only the transport differs.
 */
export interface FaceCheckStart {
  /** The person to verify, as the order names them (the provider compares the face with this identity). */
  name: string;
  idNumber: string;
  /** Where the provider's page sends the phone when it is done (the provider appends its BizToken). */
  redirectUrl: string;
  /** Passed through to the result (our legal-check id; never personal data). */
  extra?: string;
}

export type FaceCheckResult =
  /** The person has not finished on the provider's page yet (or never opened it). */
  | { state: 'incomplete' }
  /** Liveness and comparison passed; name and idNumber are the identity the provider verified. */
  | { state: 'passed'; name: string; idNumber: string }
  | { state: 'failed'; code: string; reason: string };

export interface FaceVerifier {
  /** 'sandbox' or 'tencent': recorded with every check, so a simulated pass is never mistaken for a real one. */
  readonly name: 'sandbox' | 'tencent';
  start(input: FaceCheckStart): Promise<{ bizToken: string; url: string }>;
  result(bizToken: string): Promise<FaceCheckResult>;
}

/** A provider call that did not work: `retryable` for outages and throttling, not for refusals. */
export class FaceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
