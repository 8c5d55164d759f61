import type { FastifyReply, FastifyRequest } from 'fastify'
import { preconditionFailed } from './problem.ts'

/** Single resources carry a strong ETag made from their version. */
export const etagOf = (version: number) => `"${version}"`

/** Sets the ETag; answers 304 (returns true) when the client's If-None-Match already names it. */
export function sendEtag(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag)
  const inm = req.headers['if-none-match']
  if (inm && (inm === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
    reply.code(304).send()
    return true
  }
  return false
}

/**
 * The version an `If-Match` header requires, or undefined when there is none. Services apply it
 * atomically (`update … where version = $expected`) and answer 412 when no row matched.
 */
export function expectedVersion(req: FastifyRequest): number | undefined {
  const header = req.headers['if-match']
  if (!header || header === '*') return undefined
  const match = /^(?:W\/)?"(\d{1,10})"$/.exec(header.trim())
  if (!match) throw preconditionFailed('If-Match must be an ETag this API returned')
  return Number(match[1])
}
