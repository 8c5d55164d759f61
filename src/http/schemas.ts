import { z } from 'zod'

/** Shared wire shapes and bounded inputs. Every input is bounded (OpenAPI check, OWASP API4). */
export const Id = z.uuid().meta({ description: 'A UUIDv7 id' })
export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 timestamp' })
export const IdParams = z.object({ id: Id })
export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .meta({ format: 'int32', description: 'Page size, 1..100' })
export const Cursor = z.string().min(1).max(500).meta({ description: 'Opaque cursor from the previous page' })
export const PageQuery = z.object({ limit: Limit, cursor: Cursor.optional() })

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() })

export const IfMatchHeaders = z.object({
  'if-match': z.string().max(100).optional().meta({
    description:
      'An ETag this API returned (or *): 412 when the resource changed since. Compared strongly: a weak W/ tag never matches',
  }),
})

/** RFC 9457 problem details, as every error response carries them. */
export const ProblemDetails = z
  .object({
    type: z.string().max(200).meta({ format: 'uri' }),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(2000).optional(),
    instance: z.string().max(2000).meta({ format: 'uri-reference' }),
    requestId: z
      .string()
      .max(128)
      .regex(/^[A-Za-z0-9._:@-]{1,128}$/),
    errors: z
      .array(z.object({ path: z.string().max(500), message: z.string().max(1000) }))
      .max(100)
      .optional(),
  })
  .meta({ id: 'ProblemDetails', description: 'RFC 9457 problem details' })

/** A problem with extension members of its own (RFC 9457 §3.2), documented under `id`. */
export const problemWith = <E extends z.ZodRawShape>(id: string, description: string, extensions: E) =>
  ProblemDetails.extend(extensions).meta({ id, description })

/** Documents the error answers a route gives besides the ones every route shares (400, 401, 429, 500). */
export const errors = <const C extends number>(...codes: C[]) =>
  Object.fromEntries(codes.map((c) => [c, ProblemDetails])) as Record<C, typeof ProblemDetails>

/** The (empty) body of a 204. */
export const NoContent = z.null().meta({ description: 'No content' })
