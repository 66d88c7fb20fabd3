/**
 * 新制申请: after agreeing to the user agreement and choosing project and key type, a draft order is made.
 * The main/sub rule is checked here under a per-organization-and-project lock, so two tabs cannot both
 * start a main-key order.
 */
import { randomInt, randomBytes } from 'node:crypto';
import { AppError } from '../../../core/errors.js';
import { hasCarryOver, initialDraft, type OrderDraft } from '../../../core/order-form.js';
import { makeOrderNumber } from '../../../core/order-number.js';
import { allowedKeyTypes } from '../../../core/requirements.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { keyHoldings } from '../certificates/key-holdings.js';
import { legalToken, legalTokenHash } from './legal-token.js';
import { orderRepository, type OrderRow } from './repository.js';

export interface CreateOrderInput {
  projectCode: string;
  keyType: 'main' | 'sub';
}

export async function createOrder(
  deps: { db: Db; clock: Clock; config: Config },
  org: OrganizationRow,
  input: CreateOrderInput,
): Promise<OrderRow> {
  const project = await catalogRepository.get(deps.db, input.projectCode);
  if (!project || !project.active)
    throw new AppError('VALIDATION_FAILED', '请选择证书项目', { fields: { projectCode: '该证书项目不存在或已停止在线受理' } });
  const key = project.keys.find((k) => k.keyType === input.keyType && k.active);
  if (!key) throw new AppError('VALIDATION_FAILED', '该项目不提供所选的锁类型', { fields: { keyType: '该项目不提供所选的锁类型' } });
  if (!key.priceConfirmed || key.priceFen === null)
    throw new AppError('CONFLICT', '该项目的价格尚待确认，暂不能在线申请，请致电客服热线 400-800-1040');

  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Serialize orders of one organization for one project: the main/sub check below must see the other.
    await orderRepository.lockOrganizationProject(tx, org.id, project.code);
    const offered = project.keys.filter((k) => k.active).map((k) => ({ kind: k.keyType }));
    const choice = allowedKeyTypes({ name: project.name, keys: offered }, await keyHoldings(tx, org.id, project.code));
    if (!choice.allowed.includes(input.keyType)) throw new AppError('CONFLICT', choice.reason, { fields: { keyType: choice.reason } });
    // A second order (a 副锁, another project) starts from what the last one said (core/order-form.ts initialDraft).
    const previous = (await orderRepository.recentlyChanged(tx, org.id, 10)).find((o) => hasCarryOver(o.form as OrderDraft));
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = crypto.randomUUID();
      const nonce = randomBytes(16).toString('base64url');
      const order = await orderRepository.insert(tx, {
        id,
        orderNo: makeOrderNumber(now, String(randomInt(0, 100_000_000)).padStart(8, '0')),
        organizationId: org.id,
        projectCode: project.code,
        keyType: input.keyType,
        status: 'draft',
        form: initialDraft(org, previous?.form as OrderDraft | undefined) as Record<string, unknown>,
        legalCheckNonce: nonce,
        legalCheckTokenHash: legalTokenHash(legalToken(deps.config.secret, id, nonce)),
        createdAt: now,
        updatedAt: now,
      });
      if (!order) continue; // an order number collision: draw another
      await orderRepository.addEvent(tx, {
        orderId: order.id,
        actorType: 'org',
        actorId: org.id,
        action: 'order.create',
        toStatus: 'draft',
        detail: {
          projectCode: project.code,
          keyType: input.keyType,
          agreement: '江西CA数字证书用户协议',
          ...(previous && { prefilledFrom: previous.orderNo }),
        },
        at: now,
      });
      return order;
    }
    throw new AppError('INTERNAL', '系统繁忙，请稍后再试');
  });
}
