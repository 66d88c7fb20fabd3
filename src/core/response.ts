/**
 * What every response schema (core/*-schemas.ts) shares. Kept apart from the request schemas the web's forms
 * run (core/schemas.ts): the web imports response schemas as types only, so neither they nor the zod code
 * they use (the codec, ISO date-times) reach the browser's bundles (e2e/web-loading.test.ts's budgets).
 */
import { z } from 'zod';

/**
 * A moment in an answer: the server holds a Date, the JSON carries its ISO 8601 text. Response schemas are
 * encoded (server/plugins/response-serializer.ts), so a handler returns Dates and the web reads strings.
 */
export const ZInstant = z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });

/** The JSON a response schema describes — its encoded side, which the web receives (dates as text). */
export type JsonOf<S extends z.ZodType> = z.input<S>;
