/**
 * Image captchas (svg-captcha). Single use, five minutes, checked on the server: the database keeps only
 * an HMAC of the lower-cased answer, and verifying consumes the captcha whatever the outcome, so a
 * replayed or guessed-again captcha always fails.
 *
 * With CERTDESK_CAPTCHA_FIXED set (tests and demos only; refused in production) every answer is that
 * string, so automated tests can log in. The captcha is still single use and still expires.
 */
import svgCaptcha from 'svg-captcha';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { hmac, safeEqual } from '../../crypto.js';
import { captchaRepository } from './repository.js';

const TTL_MS = 5 * 60_000;
// svg-captcha's module is itself a function that draws a given text; its typings omit that signature.
const drawText = svgCaptcha as unknown as (text: string, opts: svgCaptcha.ConfigObject) => string;

export interface CaptchaService {
  create(): Promise<{ captchaId: string; svg: string }>;
  /** Throws CAPTCHA_INVALID unless the answer is right; the captcha is spent either way. */
  consume(captchaId: string, answer: string): Promise<void>;
}

export function captchaService(deps: { db: Db; clock: Clock; secret: string; fixed?: string }): CaptchaService {
  const { db, clock, secret, fixed } = deps;
  const digest = (id: string, answer: string) => hmac(secret, `captcha:${id}:${answer.trim().toLowerCase()}`);
  return {
    async create() {
      const c = fixed
        ? { text: fixed, data: drawText(fixed, { width: 120, height: 40, noise: 1, color: true }) }
        : svgCaptcha.create({ size: 4, ignoreChars: '0oO1iIlL', noise: 2, color: true, width: 120, height: 40 });
      const now = clock.now();
      const id = crypto.randomUUID();
      await captchaRepository.insert(db, {
        id,
        answerHash: digest(id, c.text),
        createdAt: now,
        expiresAt: new Date(now.getTime() + TTL_MS),
      });
      // Opportunistic clean-up keeps the table small without a separate job.
      await captchaRepository.deleteExpiredBefore(db, new Date(now.getTime() - TTL_MS));
      return { captchaId: id, svg: c.data };
    },
    async consume(captchaId, answer) {
      const now = clock.now();
      const answerHash = await captchaRepository.spend(db, captchaId, now);
      if (!answerHash)
        throw new AppError('CAPTCHA_INVALID', '验证码已失效，请点击图片换一张', {
          fields: { captchaAnswer: '验证码已失效，请点击图片换一张' },
        });
      if (!safeEqual(answerHash, digest(captchaId, answer)))
        throw new AppError('CAPTCHA_INVALID', '验证码不正确，请重新输入', { fields: { captchaAnswer: '验证码不正确，请重新输入' } });
    },
  };
}
