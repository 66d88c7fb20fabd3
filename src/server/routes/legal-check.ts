/** Route module registered in app.ts; being written now (issue 3). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';

export const legalCheckRoutes =
  (_ctx: AppContext): FastifyPluginAsyncZod =>
  async () => {};
