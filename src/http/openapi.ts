import swagger, { type SwaggerOptions } from '@fastify/swagger'
import scalar from '@scalar/fastify-api-reference'
import type { FastifyInstance } from 'fastify'
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { z } from 'zod'

/** RFC 9457 problem details, as every error response carries them. */
export const ProblemDetails = z
  .object({
    type: z.string().max(200),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599),
    detail: z.string().max(2000).optional(),
    instance: z.string().max(2000),
    requestId: z.string().max(128),
    errors: z
      .array(z.object({ path: z.string().max(500), message: z.string().max(1000) }))
      .max(100)
      .optional(),
  })
  .meta({ id: 'ProblemDetails', description: 'RFC 9457 problem details' })

type HttpOperation = {
  parameters?: unknown[]
  requestBody?: unknown
  security?: Record<string, string[]>[]
  responses?: Record<
    string,
    { description?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimit-Reset' },
  'Access-Control-Allow-Origin': { $ref: '#/components/headers/Access-Control-Allow-Origin' },
}
const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } }
const DESCRIPTIONS: Record<string, string> = {
  '400': 'Bad input',
  '401': 'Missing or invalid credentials',
  '403': 'Not allowed',
  '404': 'Not found or not visible to the caller',
  '409': 'Conflict',
  '412': 'If-Match did not match',
  '413': 'Payload too large',
  '415': 'Unsupported media type',
  '422': 'Idempotency key reused with another body',
  '429': 'Rate limited',
  '500': 'Internal error',
  '503': 'Unavailable',
}

/**
 * The conventions every operation shares, added once here rather than on a hundred routes:
 * problem+json error bodies, 400/401/429 responses, rate-limit and CORS headers.
 */
function applyConventions(doc: Record<string, unknown>) {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, HttpOperation>>
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      op.responses ??= {}
      const api = path.startsWith('/api/')
      if (api && (op.parameters?.length || op.requestBody)) op.responses['400'] ??= {}
      if (op.security?.some((s) => Object.keys(s).length > 0)) op.responses['401'] ??= {}
      op.responses['429'] ??= {}
      op.responses['500'] ??= {}
      for (const [code, res] of Object.entries(op.responses)) {
        const status = Number(code)
        if (status >= 400) {
          res.description = DESCRIPTIONS[code] ?? res.description ?? 'Error'
          // a route may document its own error body (like /ready's 503); everything else is a problem
          const own = res.content?.['application/json'] as { schema?: { $ref?: string } } | undefined
          if (!own || own.schema?.$ref === '#/components/schemas/ProblemDetails') res.content = problemContent
        }
        if (status < 500) res.headers = { ...RATE_LIMIT_HEADERS, ...res.headers }
        if (status === 429)
          res.headers = { ...res.headers, 'Retry-After': { $ref: '#/components/headers/Retry-After' } }
        if (status === 401) {
          res.headers = { ...res.headers, 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } }
        }
        res.description ??= 'Success'
      }
    }
  }
  dropUnusedSchemas(doc)
  return doc
}

// the zod transform emits an `…Input` twin of every registered schema; keep only what is referenced
function dropUnusedSchemas(doc: Record<string, unknown>) {
  const schemas = (doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas
  if (!schemas) return
  for (;;) {
    const text =
      JSON.stringify({ ...doc, components: { ...(doc.components as object), schemas: undefined } }) +
      JSON.stringify(schemas)
    const unused = Object.keys(schemas).filter((name) => !text.includes(`"#/components/schemas/${name}"`))
    if (!unused.length) return
    for (const name of unused) delete schemas[name]
  }
}

const intHeader = (description: string) => ({
  description,
  schema: { type: 'integer' as const, format: 'int32', minimum: 0 },
})

export async function registerOpenApi(app: FastifyInstance, opts: { version: string; publicUrl?: string }) {
  const options: SwaggerOptions = {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tasklane API',
        version: opts.version,
        description:
          'Project & task management backend. Errors are RFC 9457 problem+json; lists use keyset pagination.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: opts.publicUrl ?? '/', description: 'This server', 'x-internal': false } as never],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A short-lived access token (JWT, verified per RFC 8725: algorithm allowlist, issuer, audience, expiry), ' +
              'a personal access token (`tl_pat_…`), or a token from the configured OIDC issuer (verified against its JWKS).',
          },
        },
        headers: {
          'RateLimit-Limit': intHeader('Requests allowed in the current window'),
          'RateLimit-Remaining': intHeader('Requests left in the current window'),
          'RateLimit-Reset': intHeader('Seconds until the window resets'),
          'Retry-After': intHeader('Seconds to wait before retrying'),
          'Access-Control-Allow-Origin': {
            description: 'CORS allowed origin',
            schema: { type: 'string' as const, maxLength: 2048 },
          },
          'WWW-Authenticate': {
            description: 'Authentication scheme',
            schema: { type: 'string' as const, maxLength: 200 },
          },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: ['/openapi.json', '/docs', '/docs/*', '/metrics'] }),
    transformObject: (input) => applyConventions(jsonSchemaTransformObject(input) as Record<string, unknown>) as never,
  }
  await app.register(swagger, options)
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(scalar, {
    routePrefix: '/docs',
    configuration: { url: '/openapi.json', withDefaultFonts: false, hideClientButton: true },
  })
}
