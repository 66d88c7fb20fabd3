/**
 * Sends a stored ID-card or material scan to the browser that asked for it: never cached (the audit log records
 * every look), never sniffed as anything but its stored type, shown inline under a server-chosen name.
 */
import type { FastifyReply } from 'fastify';
import type { DocumentContent } from '../modules/documents/view-document.js';

export function sendImage(reply: FastifyReply, c: DocumentContent) {
  return reply
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', `inline; filename="${c.filename}"`)
    .type(c.mime)
    .send(c.bytes);
}
