/**
 * 在线解锁 (issue 20): one row per request to reset a UKEY's locked user PIN online. Its steps are a chain of
 * compare-and-set moves on `status` — an SMS code to the organization's registered mobile, a face check of
 * the 经办人 the certificate's order names, then one authorization for the token and the 证书助手 session —
 * each with an audit row (modules/tokens/unlock.ts).
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * code_sent → code_ok → face_started → face_passed → granted → done; a failed face check goes back to code_ok
 * (the face tries are limited); 'closed': given up (expired, attempts used up, replaced by a newer request).
 */
export type TokenUnlockStatus = 'code_sent' | 'code_ok' | 'face_started' | 'face_passed' | 'granted' | 'done' | 'closed';

export const tokenUnlocks = pgTable(
  'token_unlocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id').notNull(),
    /** The certificate on the token (the registry row whose token_serial is the token's). */
    certificateId: uuid('certificate_id').notNull(),
    tokenSerial: text('token_serial').notNull(),
    status: text('status').$type<TokenUnlockStatus>().notNull(),
    /** HMAC of the SMS code (never the code). */
    codeHash: text('code_hash').notNull(),
    codeAttempts: integer('code_attempts').notNull().default(0),
    codeExpiresAt: ts('code_expires_at').notNull(),
    faceAttempts: integer('face_attempts').notNull().default(0),
    faceProvider: text('face_provider'),
    faceBizToken: text('face_biz_token'),
    /** The one authorization handed out: its id and the 证书助手 session key's fingerprint it was sealed to. */
    grantJti: text('grant_jti'),
    agentKey: text('agent_key'),
    grantedAt: ts('granted_at'),
    doneAt: ts('done_at'),
    /** The whole request's end: 30 minutes from the code. */
    expiresAt: ts('expires_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One open request per token: a new one closes the older (in the same transaction).
    uniqueIndex('token_unlocks_open_uq')
      .on(t.tokenSerial)
      .where(sql`status not in ('done', 'closed')`),
    index('token_unlocks_org_idx').on(t.organizationId, t.createdAt),
  ],
);
