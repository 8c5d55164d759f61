import type { FastifyReply, FastifyRequest } from 'fastify'
import { preconditionFailed } from './problem.ts'

/**
 * Single resources carry a strong ETag made from their version, and from `variant` where the body
 * shows something the version does not count (a team: the caller's role), so a 304 never confirms it stale.
 */
export const etagOf = (version: number, variant?: string) =>
  variant === undefined ? `"${version}"` : `"${version}-${variant}"`

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
  const etag = expectedEtag(req)
  if (etag === undefined) return undefined
  const match = /^"(\d{1,10})"$/.exec(etag)
  if (match) return Number(match[1])
  throw preconditionFailed(
    etag.startsWith('W/')
      ? 'If-Match compares ETags strongly: a weak one (W/) never matches'
      : 'If-Match must be an ETag this API returned',
  )
}

/**
 * The ETag an `If-Match` header names, or undefined when there is none. For a resource whose ETag is
 * more than its version (a team): its service compares the whole ETag under its row lock. Kept as
 * sent: If-Match uses the strong comparison (RFC 9110 §13.1.1), so a weak tag matches nothing.
 */
export function expectedEtag(req: FastifyRequest): string | undefined {
  const header = req.headers['if-match']
  if (!header || header === '*') return undefined
  return header.trim()
}
