/** Route module registered in app.ts; being written now (issue 4). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../app.js';

export const fulfilmentRoutes =
  (_ctx: AppContext): FastifyPluginAsyncZod =>
  async () => {};
