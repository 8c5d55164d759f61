import type { FastifyInstance, FastifyRequest } from 'fastify'
import { forbidden, unauthorized } from './problem.ts'

export const SCOPES = [
  'teams:read',
  'teams:write',
  'projects:read',
  'projects:write',
  'tasks:read',
  'tasks:write',
  'files:read',
  'files:write',
  'admin',
] as const
export type Scope = (typeof SCOPES)[number]
export type GlobalRole = 'user' | 'admin'

const USER_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== 'admin')
/** A password or OIDC session carries every scope its role allows. */
export const scopesForRole = (role: GlobalRole): readonly Scope[] => (role === 'admin' ? SCOPES : USER_SCOPES)

/** Who is calling, as every service receives it. */
export interface Actor {
  userId: string
  role: GlobalRole
  scopes: readonly Scope[]
  /** how the caller authenticated: a password session's JWT, a personal access token, or an external OIDC token */
  via: 'session' | 'pat' | 'oidc'
  /** the personal access token's id when via = pat (its own rate-limit key) */
  tokenId?: string
  /** the session family of a password session's access token */
  sessionFamily?: string
}

/** Turns a bearer token into an Actor, or throws 401. Provided by the identity module. */
export type Authenticator = (token: string, req: FastifyRequest) => Promise<Actor>

declare module 'fastify' {
  interface FastifyContextConfig {
    /** no credentials needed (a token, when sent, is still checked) */
    public?: boolean
    /** the scope a personal access token needs for this route */
    scope?: Scope
    /** only a password session may call this route (managing tokens), never a token */
    sessionOnly?: boolean
    /** global admin role required */
    admin?: boolean
  }
  interface FastifyRequest {
    actor: Actor | null
  }
}

/** The authenticated caller of a route that is not public. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized()
  return req.actor
}

const bearer = (header: string | undefined): string | null => {
  if (!header) return null
  const match = /^Bearer ([^\s]{1,4096})$/i.exec(header)
  if (!match) throw unauthorized('Authorization must be "Bearer <token>"')
  return match[1]!
}

/**
 * Every route is authenticated unless its config says `public`; each declares the scope it needs,
 * and the OpenAPI document gets the matching security requirement from the same declaration.
 */
export function registerAuth(app: FastifyInstance, authenticate: Authenticator) {
  app.decorateRequest('actor', null)
  app.addHook('onRoute', (route) => {
    const config = route.config as { public?: boolean; admin?: boolean } | undefined
    if (config?.public || !route.url.startsWith('/api/')) return
    route.schema ??= {}
    ;(route.schema as { security?: unknown }).security ??= [{ bearerAuth: config?.admin ? ['admin'] : [] }]
  })
  app.addHook('onRequest', async (req) => {
    // ops routes at the root (/health, /metrics…) guard themselves
    if (!req.routeOptions.url?.startsWith('/api/')) return
    const config = req.routeOptions.config
    const token = bearer(req.headers.authorization)
    if (token) req.actor = await authenticate(token, req)
    if (config.public) return
    const actor = actorOf(req)
    if (config.sessionOnly && actor.via === 'pat') throw forbidden('Personal access tokens cannot manage tokens')
    if (config.admin && (actor.role !== 'admin' || !actor.scopes.includes('admin'))) {
      throw forbidden('Administrator role required')
    }
    if (config.scope && !actor.scopes.includes(config.scope)) {
      throw forbidden(`This token lacks the ${config.scope} scope`)
    }
  })
}
