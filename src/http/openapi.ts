import swagger, { type SwaggerOptions } from '@fastify/swagger'
import Fastify, { type FastifyInstance } from 'fastify'
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import type { Config } from '../config.ts'
import { addImpliedBounds, dropUnusedComponents, mergeIdenticalTwins } from './openapi-schemas.ts'

type Parameter = { in?: string; schema?: { type?: unknown }; style?: string; explode?: boolean }
type Response = {
  description?: string
  content?: Record<string, { schema?: { $ref?: string } }>
  headers?: Record<string, unknown>
}
type HttpOperation = {
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: unknown
  security?: Record<string, string[]>[]
  responses?: Record<string, Response>
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
  '414': 'A path parameter is too long',
  '415': 'Unsupported media type',
  '422': 'Idempotency key reused with another body',
  '429': 'Rate limited',
  '431': 'Request line and headers too large',
  '500': 'Internal error',
  '503': 'Unavailable',
}
// descriptions of the tags modules use; a tag missing here is still declared, only without a description
const TAG_DESCRIPTIONS: Record<string, string> = {
  operations: 'Liveness, readiness, metrics and this document',
  auth: 'Registration, login, token refresh and logout',
  users: 'The caller and the users they share a team with',
  tokens: 'Personal access tokens',
  admin: 'Administration (global admin role)',
  tasks: 'Tasks: filters, sorts, search, status changes, recurrence',
  comments: 'Comments on tasks',
  teams: 'Teams and their members',
  projects: 'Projects of a team, and their archived flag',
  tags: 'Team-scoped task tags',
  activity: 'The audit trail of every change, and the change feed',
  attachments: 'Files attached to tasks, and their extracted text',
  notes: 'Personal notes, optionally shared with a project, with an optional file',
  events: 'Server-Sent Events of the changes the caller can see',
  webhooks: 'Signed webhooks of a team, and their deliveries',
  exports: "A team's tasks as CSV or its data as Tasklane JSON, made in the background (job resources)",
  imports: 'Tasklane JSON or CSV loaded into a team, all or nothing, in the background (team admins)',
  reports: "A PDF of a team's dashboard for a range, made in the background",
  dashboard: 'Team metrics, leaderboard and explorer, from counters and index range scans',
}
// what @fastify/swagger writes when neither the route nor its schema describes a response
const DEFAULT_DESCRIPTION = 'Default Response'
const SUCCESS_PREFIX: Record<number, string> = { 201: 'Created: ', 202: 'Accepted: ' }

/**
 * A success is described by the route's own words (a response schema's description), else by the
 * description of the named schema it carries, prefixed by what the status says (201: "Created: …").
 * One with neither keeps the default text, which the document's test refuses.
 */
function describeSuccess(res: Response, status: number, schemas: Record<string, { description?: string }>) {
  const ref = Object.values(res.content ?? {}).find((media) => media.schema?.$ref)?.schema?.$ref
  const named = ref ? schemas[ref.slice(ref.lastIndexOf('/') + 1)]?.description : undefined
  if (!named || (res.description && res.description !== DEFAULT_DESCRIPTION && res.description !== named)) return
  const prefix = SUCCESS_PREFIX[status]
  res.description = prefix ? `${prefix}${named[0]!.toLowerCase()}${named.slice(1)}` : named
}

/**
 * The conventions every operation shares, added once here rather than on a hundred routes:
 * problem+json error bodies, rate-limit and CORS headers, comma-separated
 * array parameters, success descriptions, and one component per schema name.
 */
function applyConventions(doc: Record<string, unknown>, maxUploadBytes: number) {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, HttpOperation>>
  const schemas = (doc.components as { schemas?: Record<string, { description?: string }> }).schemas ?? {}
  const tags = new Set<string>()
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      // routes that need credentials declare them (see http/auth.ts); the rest are public, and say so
      // explicitly: `[{}]` is OpenAPI's "no credentials required" alternative
      op.security ??= [{}]
      if (path.split('/').includes('admin')) op.security = op.security.map(adminScoped)
      for (const tag of op.tags ?? []) tags.add(tag)
      for (const param of op.parameters ?? []) {
        // an array in a query string is always one comma-separated value (`status=todo,done`)
        if (param.in === 'query' && param.schema?.type === 'array')
          Object.assign(param, { style: 'form', explode: false })
      }
      // the errors every route can answer come from its configuration (openapi-answers.ts)
      op.responses ??= {}
      for (const [code, res] of Object.entries(op.responses)) {
        const status = Number(code)
        if (status >= 400) {
          res.description = DESCRIPTIONS[code] ?? res.description ?? 'Error'
          // every error body is a problem; a route may document its own, with extension members
          // (like /ready's 503), which is served as a problem too
          const own = (res.content?.['application/json'] as { schema?: unknown } | undefined)?.schema
          res.content = own ? { 'application/problem+json': { schema: own } } : problemContent
        } else describeSuccess(res, status, schemas)
        if (status < 500) res.headers = { ...RATE_LIMIT_HEADERS, ...res.headers }
        if (status === 429)
          res.headers = { ...res.headers, 'Retry-After': { $ref: '#/components/headers/Retry-After' } }
        if (status === 401) {
          res.headers = { ...res.headers, 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } }
        }
      }
    }
  }
  doc.tags = [...tags]
    .sort()
    .map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] && { description: TAG_DESCRIPTIONS[name] }) }))
  addImpliedBounds(doc, maxUploadBytes)
  dropUnusedComponents(doc, 'schemas')
  dropUnusedComponents(doc, 'headers')
  mergeIdenticalTwins(doc)
  return doc
}

// admin routes require the admin role on top of a valid token: their requirement names it as a scope
const adminScoped = (requirement: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(requirement).map(([scheme, scopes]) => [
      scheme,
      scopes.includes('admin') ? scopes : [...scopes, 'admin'],
    ]),
  )

const intHeader = (description: string, maximum: number) => ({
  description,
  schema: { type: 'integer' as const, format: 'int32', minimum: 0, maximum },
})
// the largest rate limit config.ts accepts, and a day in seconds (the longest window)
const MAX_LIMIT = 1_000_000
const DAY = 86_400

// the words API consumers (and the OWASP inventory rule) look for in a server's description
const ENVIRONMENT: Record<Config['NODE_ENV'], string> = {
  production: 'production',
  development: 'local development',
  test: 'test',
}

export async function registerOpenApi(
  app: FastifyInstance,
  opts: { version: string; config: Pick<Config, 'NODE_ENV' | 'PUBLIC_URL' | 'MAX_UPLOAD_BYTES'> },
) {
  const environment = opts.config.NODE_ENV
  // a file's bytes, in or out, are bounded by the upload limit
  const maxUploadBytes = opts.config.MAX_UPLOAD_BYTES
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
      servers: [
        {
          url: opts.config.PUBLIC_URL ?? '/',
          description: `This ${ENVIRONMENT[environment]} server`,
          'x-internal': false,
        },
      ] as never,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A short-lived access token (JWT, verified per RFC8725: algorithm allowlist, issuer, audience, expiry), ' +
              'a personal access token (`tl_pat_…`), or a token from the configured OIDC issuer (verified against its JWKS).',
          },
        },
        headers: {
          'RateLimit-Limit': intHeader('Requests allowed in the current window', MAX_LIMIT),
          'RateLimit-Remaining': intHeader('Requests left in the current window', MAX_LIMIT),
          'RateLimit-Reset': intHeader('Seconds until the window resets', DAY),
          'Retry-After': intHeader('Seconds to wait before retrying', DAY),
          'Access-Control-Allow-Origin': {
            description: 'CORS allowed origin (present when the request came from an allowed origin)',
            schema: { type: 'string' as const, maxLength: 2048, pattern: '^(\\*|null|https?://[^/\\s]+)$' },
          },
          'WWW-Authenticate': {
            description: 'Authentication scheme',
            schema: { type: 'string' as const, maxLength: 200, pattern: '^Bearer' },
          },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: ['/openapi.json', '/docs', '/docs/*', '/metrics'] }),
    transformObject: (input) =>
      applyConventions(jsonSchemaTransformObject(input) as Record<string, unknown>, maxUploadBytes) as never,
  }
  await app.register(swagger, options)
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  registerDocs(app)
}

/**
 * /docs, the Scalar API reference, loaded on its first request: its plugin holds the page's 8 MB
 * script as a string in its module, ~17 MB of every instance's heap (module source and string) and
 * its parsers' code, for a page few open. The plugin runs in a Fastify instance of its own, built on
 * the first request, and its answers are passed on, so this app's hooks (security headers, CORS)
 * apply to them as to any route.
 */
function registerDocs(app: FastifyInstance) {
  let docs: Promise<FastifyInstance> | undefined
  const load = async () => {
    const { default: scalar } = await import('@scalar/fastify-api-reference')
    const inner = Fastify({ routerOptions: { ignoreTrailingSlash: true } })
    await inner.register(scalar, {
      routePrefix: '/docs',
      configuration: { url: '/openapi.json', withDefaultFonts: false, hideClientButton: true },
    })
    await inner.ready()
    return inner
  }
  app.addHook('onClose', async () => {
    await (await docs?.catch(() => undefined))?.close()
  })
  // /docs and /docs/ (the router ignores the trailing slash): the page, or a redirect to /docs/
  for (const url of ['/docs/', '/docs/js/scalar.js']) {
    app.get(url, { schema: { hide: true } }, async (req, reply) => {
      docs ??= load().catch((err: unknown) => {
        docs = undefined
        throw err
      })
      const res = await (await docs).inject({ method: 'GET', url: req.url })
      for (const name of ['content-type', 'location'] as const) {
        const value = res.headers[name]
        if (value !== undefined) reply.header(name, value)
      }
      return reply.code(res.statusCode).send(res.rawPayload)
    })
  }
}
