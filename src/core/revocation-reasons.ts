/**
 * Revocation reasons (RFC 5280 5.3.1 CRLReason) the CA accepts, with their Chinese labels. cACompromise (2)
 * and aACompromise (10) are the CA's own incidents, not a request about one certificate; certificateHold (6)
 * and removeFromCRL (8) are not supported — a revocation here is final (RFC 5280 5.3.1 allows a CA not to
 * offer hold).
 */
export interface RevocationReason {
  code: number;
  key: string;
  label: string;
  /** Whether the certificate's own organization may choose it online. */
  applicant: boolean;
}

export const REVOCATION_REASONS: readonly RevocationReason[] = [
  { code: 0, key: 'unspecified', label: '未说明原因', applicant: true },
  { code: 1, key: 'keyCompromise', label: '密钥泄露或介质丢失', applicant: true },
  { code: 3, key: 'affiliationChanged', label: '单位名称等信息变更', applicant: true },
  { code: 4, key: 'superseded', label: '已被新证书替代', applicant: true },
  { code: 5, key: 'cessationOfOperation', label: '停止使用（单位注销、业务终止）', applicant: true },
  { code: 9, key: 'privilegeWithdrawn', label: '撤销使用资格（由 CA 决定）', applicant: false },
];

export const REVOCATION_REASON_CODES = REVOCATION_REASONS.map((r) => r.code);

export function revocationReasonLabel(code: number | null | undefined): string {
  if (code === null || code === undefined) return '—';
  return REVOCATION_REASONS.find((r) => r.code === code)?.label ?? `原因代码 ${code}`;
}

/** The promise in the user agreement (seed 004): a request is handled within 24 hours. */
export const REVOCATION_PROMISE_MS = 24 * 60 * 60 * 1000;
