/**
 * 制证 through the 证书助手 (issue 20): staff at the 制证 workstation ask for the one-time authorization that
 * lets their agent initialize a UKEY — C_InitToken, the CA's SO PIN derived for this token's serial set
 * (ca/token-authorization.ts), the initial user PIN typed at the agent. The SO PIN is sealed to the agent's
 * session key here and never reaches the page. Audited per token.
 */
import { AppError } from '../../../core/errors.js';
import type { Db } from '../../db/client.js';
import { catalogRepository } from '../catalog/repository.js';
import { familyOfProject, FAMILY_LABEL } from '../certificates/issue.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { SessionRow } from '../sessions/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { agentBinding, authorizationForAgent, type AgentSession } from './agent-session.js';
import { tokenAuthority } from './authority.js';

export async function authorizeTokenInit(
  deps: { db: Db; clock: Clock; config: Config },
  actor: StaffActor,
  session: SessionRow,
  input: { serial: string; agent: AgentSession; origin: string; projectCode: string },
  meta: RequestMeta,
): Promise<{ authorization: string; expiresAt: string; keyAlgorithm: 'sm2' | 'ecdsa-p256' }> {
  // The key the agent is to make next: the project's family, refused before the token is touched when the agent cannot make it.
  const project = await catalogRepository.get(deps.db, input.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到该证书项目');
  const keyAlgorithm = familyOfProject(project.certFamily);
  if (keyAlgorithm === 'rsa-2048')
    throw new AppError(
      'CONFLICT',
      `该项目签发 ${FAMILY_LABEL[keyAlgorithm]} 证书，证书助手只在 UKEY 上生成 SM2 或 ECDSA P-256 密钥：请改用证书请求或系统生成密钥`,
    );
  const keys = await tokenAuthority(deps.config.ca);
  const now = deps.clock.now();
  const a = authorizationForAgent(keys, {
    purpose: 'init',
    serial: input.serial,
    origin: input.origin,
    binding: agentBinding(deps.config.secret, session),
    agent: input.agent,
    now,
  });
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'token.init_authorized',
    targetType: 'token',
    targetId: input.serial,
    detail: { jti: a.jti, agentKey: a.agentKey, expiresAt: a.expiresAt, projectCode: input.projectCode },
    ip: meta.ip,
    at: now,
  });
  return { authorization: a.authorization, expiresAt: a.expiresAt, keyAlgorithm };
}
