import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZInstant } from '../../core/response.js';
import { registerErrorHandling } from './errors.js';
import { responseSerializerCompiler, undeclaredFields } from './response-serializer.js';

const ZAnswer = z.object({ id: z.string(), at: ZInstant, items: z.array(z.object({ n: z.number() })), note: z.string().optional() });

/** A route that answers what the test asks for, through the app's serializer for the given environment. */
async function appFor(env: 'test' | 'production') {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler(env));
  registerErrorHandling(app);
  let answer: unknown;
  app.get('/x', { schema: { response: { 200: ZAnswer } } }, async () => answer as z.output<typeof ZAnswer>);
  await app.ready();
  return {
    app,
    get: async (a: unknown) => {
      answer = a;
      return app.inject({ method: 'GET', url: '/x' });
    },
  };
}

const AT = new Date('2026-12-07T08:00:00.000Z');

describe('response serializer', () => {
  let strict: Awaited<ReturnType<typeof appFor>>;
  let prod: Awaited<ReturnType<typeof appFor>>;
  beforeAll(async () => {
    strict = await appFor('test');
    prod = await appFor('production');
  });
  afterAll(async () => {
    await strict.app.close();
    await prod.app.close();
  });

  it('sends a declared answer, dates as ISO text', async () => {
    const res = await strict.get({ id: 'a', at: AT, items: [{ n: 1 }], note: undefined });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'a', at: '2026-12-07T08:00:00.000Z', items: [{ n: 1 }] });
  });

  it('outside production, fails an answer carrying a field its schema does not declare (top level or nested)', async () => {
    const top = await strict.get({ id: 'a', at: AT, items: [], secret: 'x' });
    expect(top.statusCode).toBe(500);
    expect(top.json().error.code).toBe('INTERNAL');
    expect(top.body).not.toContain('secret');
    const nested = await strict.get({ id: 'a', at: AT, items: [{ n: 1 }, { n: 2, extra: true }] });
    expect(nested.statusCode).toBe(500);
  });

  it('fails an answer that does not match its schema (a date sent as text)', async () => {
    const res = await strict.get({ id: 'a', at: '2026-12-07', items: [] });
    expect(res.statusCode).toBe(500);
  });

  it('in production, sends only what is declared', async () => {
    const res = await prod.get({ id: 'a', at: AT, items: [], secret: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'a', at: '2026-12-07T08:00:00.000Z', items: [] });
  });

  it('names the undeclared paths', () => {
    expect(undeclaredFields({ a: 1, b: { c: 1, d: 2 }, e: [{ f: 1, g: 2 }], u: undefined }, { a: 1, b: { c: 1 }, e: [{ f: 1 }] })).toEqual([
      'b.d',
      'e[0].g',
    ]);
  });
});
