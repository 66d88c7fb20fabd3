/**
 * The QR token → its order. The token is the only credential of the legal representative's page: it finds
 * one live order and nothing else. An unknown token and the token of a deleted or cancelled order get the
 * same answer, so the page cannot tell "never existed" from "dead".
 */
import { AppError } from '../../../core/errors.js';
import { ENDED, type OrderStatus } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { catalogRepository, type CatalogProject } from '../catalog/repository.js';
import { legalTokenHash } from '../orders/legal-token.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';

/** HMAC-SHA256 in base64url is 43 characters; anything else cannot be a token. */
export const LEGAL_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const deadToken = () =>
  new AppError(
    'NOT_FOUND',
    '二维码已失效：订单不存在或已删除。订单删除后重新申请的，须重新下载法人授权委托书模板，并用新模板上的二维码重新核验。',
  );

export interface TokenOrder {
  order: OrderRow;
  org: OrganizationRow;
  project: CatalogProject;
}

export async function orderByLegalToken(db: DbOrTx, token: string): Promise<TokenOrder> {
  if (!LEGAL_TOKEN_SHAPE.test(token)) throw deadToken();
  const order = await orderRepository.findByLegalToken(db, legalTokenHash(token));
  if (!order || order.deletedAt || ENDED.includes(order.status as OrderStatus)) throw deadToken();
  const [org, project] = await Promise.all([
    organizationRepository.findById(db, order.organizationId),
    catalogRepository.get(db, order.projectCode),
  ]);
  if (!org || !project) throw deadToken();
  return { order, org, project };
}
