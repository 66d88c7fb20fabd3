/**
 * 制证: making the certificate — and, for a main key, the electronic seal (电子签章) — for an order whose paper
 * originals passed. What the workflow records about it (the event detail of 制证完成).
 *
 * The certificate is issued by the CA core through the registry (modules/certificates/issue.ts), in
 * Boulder's order: record the serial and the to-be-signed certificate (tx1), sign outside any transaction,
 * then store the certificate and move the order (tx2) — produce-order.ts. A main key's electronic seals are
 * made by the CA's seal maker (modules/seals) from the impressions staff confirmed, and 发放 refuses a main
 * key without them (the seals_ready guard, seals/readiness.ts).
 */
export interface ProductionResult {
  /** 'ca' = issued by the CA core; the certificate is in the registry. */
  method: 'ca';
  certificate: true;
  certificateId: string;
  serial: string;
  /** How the key pair came: the customer's PKCS#10 from the USB key, generated here (PKCS#12), or made on the UKEY by the 证书助手. */
  keySource: 'csr' | 'generated' | 'token';
  /** The UKEY's serial (key source 'token'). */
  tokenSerial?: string;
  /** An SM2 pair's encryption certificate, issued with it (docs/kmc.md). */
  encryption?: { certificateId: string; serial: string };
  /** The electronic seal: main keys only (副锁无章). */
  seal: boolean;
  /** The staff member who issued it. */
  confirmedBy: string;
}
