import type { FastifyReply } from 'fastify'
import { contentDisposition, type Storage } from '../../infra/storage.ts'

/** How long a presigned download link works. */
export const PRESIGNED_TTL_SECONDS = 60

/**
 * Sends stored bytes as a download: a 302 to a short-lived presigned URL when the store makes
 * them (S3), the bytes streamed otherwise. Always `attachment` and `nosniff`, so a browser never
 * renders an uploaded file as a page of this origin.
 */
export async function sendStoredFile(
  reply: FastifyReply,
  storage: Storage,
  file: { key: string; filename: string; contentType: string; size: number },
) {
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store')
  const url = await storage.presignedGetUrl(file.key, {
    ttlSeconds: PRESIGNED_TTL_SECONDS,
    filename: file.filename,
    contentType: file.contentType,
  })
  if (url) return reply.code(302).header('location', url).send()
  const stream = await storage.get(file.key)
  return reply
    .header('content-type', file.contentType)
    .header('content-length', String(file.size))
    .header('content-disposition', contentDisposition(file.filename))
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(stream)
}
