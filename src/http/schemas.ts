import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { isStorableText } from '../lib/text.ts'
import { isStorableInstant } from '../lib/time.ts'
import { PROBLEMS, type ProblemKind, problemType } from './problem.ts'

/** Shared wire shapes and bounded inputs. Every input is bounded (OpenAPI check, OWASP API4). */
export const Id = z.uuid().meta({ description: 'A UUIDv7 id' })

/** A row's version: increases on every change; the ETag is made from it. */
export const Version = z
  .number()
  .int()
  .min(1)
  .max(2_147_483_647)
  .meta({ format: 'int32', description: 'Increases on every change; the ETag is made from it' })

/**
 * The string every input is built from. PostgreSQL refuses NUL in text, and a lone surrogate has no
 * UTF-8 form (the driver turns it into U+FFFD, jsonb refuses its escape): both are a 400 naming the
 * field, never a failed statement. A test walks the OpenAPI document to hold every route to it.
 */
export const Text = z.string().refine(isStorableText, {
  message: 'must not contain NUL characters or unpaired UTF-16 surrogates',
})

/** An RFC 3339 timestamp with an offset, between years 0001 and 9999 in UTC (see isStorableInstant). */
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((v) => isStorableInstant(Date.parse(v)), { message: 'must be between years 0001 and 9999 (UTC)' })
  .meta({ description: 'ISO 8601 timestamp (years 0001 to 9999, UTC)' })
export const IdParams = z.object({ id: Id })
export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .meta({ format: 'int32', description: 'Page size, 1..100' })
export const Cursor = Text.min(1).max(500).meta({ description: 'Opaque cursor from the previous page' })
export const PageQuery = z.object({ limit: Limit, cursor: Cursor.optional() })

/** The `nextCursor` of a page: what the client sends back as `cursor`. */
const NextCursor = z
  .string()
  .max(Cursor.maxLength ?? 500)
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last page' })

type Page<T extends z.ZodType> = z.ZodObject<{ items: z.ZodArray<T>; nextCursor: typeof NextCursor }>
const pages = new WeakMap<z.ZodType, Page<z.ZodType>>()

/**
 * The keyset page of a named item schema, itself named `<Item>Page` in the document so a client
 * can import it. One schema per item: a second route listing the same items shares it.
 */
export function pageOf<T extends z.ZodType>(item: T): Page<T> {
  const known = pages.get(item)
  if (known) return known as unknown as Page<T>
  const name = z.globalRegistry.get(item)?.id
  if (!name) throw new Error('pageOf needs an item schema with an id (.meta({ id }))')
  const page = z.object({ items: z.array(item), nextCursor: NextCursor }).meta({
    id: `${name}Page`,
    description: `A page of ${name} items, in the operation's order; nextCursor fetches the next`,
  })
  pages.set(item, page as unknown as Page<z.ZodType>)
  return page
}

export const IfMatchHeaders = z.object({
  'if-match': Text.max(100).optional().meta({
    description:
      'An ETag this API returned (or *): 412 when the resource changed since. Compared strongly: a weak W/ tag never matches',
  }),
})

const PROBLEM_TYPES = Object.keys(PROBLEMS).map((kind) => problemType(kind as ProblemKind)) as [string, ...string[]]

/** RFC 9457 problem details, as every error response carries them. */
export const ProblemDetails = z
  .object({
    type: z.enum(PROBLEM_TYPES).meta({
      format: 'uri',
      description: 'The kind of problem, stable (docs/problems.md says when each is answered)',
    }),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(2000).optional(),
    instance: z.string().max(2000).optional().meta({
      format: 'uri-reference',
      description: "The request's path; absent when the request could not be read as HTTP",
    }),
    requestId: z
      .string()
      .max(128)
      .regex(/^[A-Za-z0-9._:@-]{1,128}$/),
    errors: z
      .array(z.object({ path: z.string().max(500), message: z.string().max(1000) }))
      .max(100)
      .optional(),
    resource: z.string().max(50).optional().meta({ description: 'not-found: the kind of thing not found' }),
  })
  .meta({ id: 'ProblemDetails', description: 'RFC 9457 problem details' })

/** A problem with extension members of its own (RFC 9457 §3.2), documented under `id`. */
export const problemWith = <E extends z.ZodRawShape>(id: string, description: string, extensions: E) =>
  ProblemDetails.extend(extensions).meta({ id, description })

/**
 * Documents the error answers a route gives besides those its configuration implies (see
 * openapi-answers.ts: 400, 401, 403, 404, 413, 415, 429, 500, 503): the ones only its handler knows.
 */
export const errors = <const C extends number>(...codes: C[]) =>
  Object.fromEntries(codes.map((c) => [c, ProblemDetails])) as Record<C, typeof ProblemDetails>

/** The (empty) body of a 204, and what it means for the route. */
export const noContent = (description: string) => z.null().meta({ description })
export const NoContent = noContent('Done; no content')

/** The (empty) body of a 202: the work goes on in the background. */
export const Accepted = z.null().meta({ description: 'Accepted: the work happens in the background (no body)' })
/** Answers 202 with no body (the route's typed reply would want one). */
export const accepted = (reply: FastifyReply) => reply.code(202).send()
