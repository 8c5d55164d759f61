import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { Text } from '../../http/schemas.ts'
import { contentDisposition, type Storage } from '../../infra/storage.ts'

/**
 * The query of a download route (its config says `ticket: true`): a browser following a link sends
 * no Authorization header, so a ticket from POST /download-tickets for this path stands in for it.
 */
export const DownloadQuery = z.object({
  ticket: Text.min(1).max(100).optional().meta({
    description: 'Instead of the Authorization header: a ticket from POST /download-tickets for this path (once, 60 s)',
  }),
})

/** How long a presigned download link works. */
const PRESIGNED_TTL_SECONDS = 60

/**
 * The types a presigned URL may serve: those recognised by their leading bytes (src/lib/sniff.ts),
 * which a browser sniffing the bytes would also reach, so `nosniff` could change nothing. Text,
 * JSON and unknown bytes are what a browser might sniff into HTML or script, and an S3 URL cannot
 * carry `X-Content-Type-Options` or a CSP: the API streams those itself.
 */
const SELF_DESCRIBING = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/zip',
  'application/gzip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
])

/** Whether a file of this type may be downloaded straight from the store (see SELF_DESCRIBING). */
const presignable = (contentType: string) => SELF_DESCRIBING.has(contentType.split(';')[0]!.trim().toLowerCase())

/**
 * Sends stored bytes as a download: `attachment`, `nosniff` and a sandboxing CSP, so a browser
 * never renders an uploaded file as a page of this origin. On S3, a file whose type its bytes
 * prove is a 302 to a short-lived presigned URL instead, carrying the type, the disposition and
 * the cache policy as response overrides (what S3 can carry); every other file is streamed.
 */
export async function sendStoredFile(
  reply: FastifyReply,
  storage: Storage,
  file: { key: string; filename: string; contentType: string; size: number },
) {
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store')
  const url = presignable(file.contentType)
    ? await storage.presignedGetUrl(file.key, {
        ttlSeconds: PRESIGNED_TTL_SECONDS,
        filename: file.filename,
        contentType: file.contentType,
      })
    : null
  if (url) return reply.code(302).header('location', url).send()
  const stream = await storage.get(file.key)
  return reply
    .header('content-type', file.contentType)
    .header('content-length', String(file.size))
    .header('content-disposition', contentDisposition(file.filename))
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(stream)
}
