/**
 * 制证: making the certificate — and, for a main key, the electronic seal (电子签章) — for an order whose paper
 * originals passed. The workflow asks this port to do it and records what it answers; nothing else in the
 * RA knows how certificates are made.
 *
 * Today the only implementation is `manualProduction`: the CA's staff make the certificate and the seal with
 * the CA's existing tools, then confirm it in the staff console (制证完成), and the result records that
 * confirmation. The CA issue plugs real issuance in here (an implementation that issues the X.509
 * certificate from the order through the CA core and returns its serial number), without changing the
 * route, the workflow table or the invoice deadline that follows 制证完成.
 */
import type { Tx } from '../../db/client.js';
import type { OrderRow } from '../orders/repository.js';

export interface ProductionResult {
  /** How it was made: 'manual' = by staff with the CA's existing tools, confirmed here. */
  method: 'manual';
  certificate: true;
  /** The electronic seal: main keys only (副锁无章). */
  seal: boolean;
  /** The staff member who confirmed it. */
  confirmedBy: string;
}

export interface CertificateProduction {
  readonly name: string;
  /**
   * Produces (or records the production of) the order's certificate, inside the transaction that moves the
   * order to 制证完成; an implementation that must call a signer outside it records first and signs after
   * (ARCHITECTURE.md: record, lint, then sign).
   */
  produce(order: OrderRow, ctx: { tx: Tx; staffId: string; at: Date }): Promise<ProductionResult>;
}

export const manualProduction: CertificateProduction = {
  name: 'manual',
  async produce(order, ctx) {
    return { method: 'manual', certificate: true, seal: order.keyType === 'main', confirmedBy: ctx.staffId };
  },
};
