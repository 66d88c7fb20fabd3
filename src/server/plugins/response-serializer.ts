/**
 * Answers go out through each route's response schema (core/*-schemas.ts), the same schema the web's types
 * are inferred from and the OpenAPI document shows. Encoding with zod drops every property the schema does not
 * declare, so a field the page reads but the schema forgot would vanish without a sound. Outside production
 * such a field fails the request (a 500 whose log names the fields), so the HTTP and browser tests catch it
 * the first time the route answers it; production sends what is declared, as the library does.
 */
import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError, serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

export class UndeclaredFieldsError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly fields: string[],
  ) {
    super(`${method} ${url} answered fields its response schema does not declare: ${fields.join(', ')}`);
    this.name = 'UndeclaredFieldsError';
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** Paths of the properties present (not undefined) in what the handler returned but absent from what was encoded. */
export function undeclaredFields(returned: unknown, encoded: unknown, path = ''): string[] {
  if (Array.isArray(returned) && Array.isArray(encoded))
    return returned.flatMap((v, i) => undeclaredFields(v, encoded[i], `${path}[${i}]`));
  if (!isPlainObject(returned) || !isPlainObject(encoded)) return [];
  return Object.entries(returned).flatMap(([k, v]) => {
    if (v === undefined) return [];
    const at = path ? `${path}.${k}` : k;
    return k in encoded ? undeclaredFields(v, encoded[k], at) : [at];
  });
}

/** Encodes like the library's serializer, and refuses an answer with a property its schema does not declare. */
export const strictSerializerCompiler: FastifySerializerCompiler<z.ZodType> =
  ({ schema, method, url }) =>
  (data) => {
    const result = z.safeEncode(schema, data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    const dropped = undeclaredFields(data, result.data);
    if (dropped.length) throw new UndeclaredFieldsError(method, url, dropped);
    return JSON.stringify(result.data);
  };

export const responseSerializerCompiler = (env: 'development' | 'production' | 'test') =>
  env === 'production' ? serializerCompiler : strictSerializerCompiler;
