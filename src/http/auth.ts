import type { FastifyInstance, FastifyRequest } from 'fastify'
import { forbidden, Problem, unauthorized } from './problem.ts'

export const SCOPES = [
  'teams:read',
  'teams:write',
  'projects:read',
  'projects:write',
  'tasks:read',
  'tasks:write',
  'files:read',
  'files:write',
  // the caller's own profile and notification settings (PATCH /users/me): not implied by any other
  'profile:write',
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

/**
 * Spends a download ticket issued for exactly this path: the caller it stands for as they are now,
 * or null (unknown, used, expired, issued for another path, or its session or token has ended).
 */
export type TicketRedeemer = (ticket: string, path: string) => Promise<Actor | null>

declare module 'fastify' {
  interface FastifyContextConfig {
    /** no credentials needed (a valid token, when sent, still identifies the caller; an invalid one is ignored) */
    public?: boolean
    /** the scope a personal access token needs for this route */
    scope?: Scope
    /** only a signed-in session may call this route (managing tokens, sessions, the password), never a personal access token */
    sessionOnly?: boolean
    /** global admin role required */
    admin?: boolean
    /**
     * a GET a browser opens as a link (a download), where it sends no Authorization header:
     * `?ticket=` from POST /download-tickets, issued for this exact path, stands in for it once
     */
    ticket?: boolean
  }
  interface FastifyInstance {
    /** whether a GET of this path (no query) goes to a route that accepts a download ticket */
    opensWithTicket(path: string): boolean
  }
  interface FastifyRequest {
    actor: Actor | null
    /** why the credentials sent were refused (answered by the access checks) */
    authFailure: Problem | null
  }
}

/** The authenticated caller of a route that is not public. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized()
  return req.actor
}

/**
 * The token of an `Authorization: Bearer <token>` header, or null when there is none; any other
 * shape is a 401. The scheme name is case-insensitive (RFC 9110 §11.1): every reader of the header
 * (API routes, /metrics) parses it here.
 */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer +(\S{1,4096})$/i.exec(header)
  if (!match) throw unauthorized('Authorization must be "Bearer <token>"')
  return match[1]!
}

/**
 * Step 1 of the API's pipeline (see api.ts): every route of the plugin it is registered in is
 * authenticated unless its config says `public`; each declares the scope it needs, and the OpenAPI
 * document gets the matching security requirement from the same declaration.
 */
export function registerAuth(app: FastifyInstance, authenticate: Authenticator, redeemTicket: TicketRedeemer) {
  app.decorateRequest('actor', null)
  // the routes a download ticket opens, as patterns of their full paths (`:id` → one segment)
  const ticketRoutes: RegExp[] = []
  app.decorate('opensWithTicket', (path: string) => ticketRoutes.some((route) => route.test(path)))
  app.addHook('onRoute', (route) => {
    const config = route.config as { public?: boolean; admin?: boolean; ticket?: boolean } | undefined
    if (config?.ticket) {
      const pattern = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/?#]+')
      ticketRoutes.push(new RegExp(`^${pattern}$`))
    }
    if (config?.public) return
    route.schema ??= {}
    ;(route.schema as { security?: unknown }).security ??= [{ bearerAuth: config?.admin ? ['admin'] : [] }]
  })
  app.decorateRequest('authFailure', null)
  // identify the caller; a failure is answered by the access checks, after the rate limiter has
  // counted the request against its IP (so guessing tokens is limited like any anonymous traffic)
  app.addHook('onRequest', async (req) => {
    // a path no route matches is answered 404, whoever asks
    if (req.is404) return
    try {
      const token = bearerToken(req.headers.authorization)
      if (token) req.actor = await authenticate(token, req)
      else if (req.routeOptions.config.ticket) req.actor = await ticketHolder(req, redeemTicket)
    } catch (err) {
      // 401: credentials that fail; 403: valid credentials of an external identity that has no
      // account and may not get one (the sign-up policy)
      if (!(err instanceof Problem && (err.status === 401 || err.status === 403))) throw err
      // clients attach their access token to every call, so /auth/refresh arrives with the expired
      // one: on a route that needs no credentials, credentials that fail leave the caller anonymous
      if (!req.routeOptions.config.public) req.authFailure = err
    }
  })
}

/** The caller a download link's `?ticket=` stands for (none sent: anonymous); a spent, expired or foreign one is a 401. */
async function ticketHolder(req: FastifyRequest, redeemTicket: TicketRedeemer): Promise<Actor | null> {
  const { ticket } = req.query as { ticket?: unknown }
  if (typeof ticket !== 'string' || ticket === '') return null
  const actor = ticket.length <= 100 ? await redeemTicket(ticket, req.url.split('?', 1)[0]!) : null
  if (!actor) throw unauthorized('This download link has expired or was already used: ask for a new one')
  return actor
}

/** Step 3: the access rules of each route (register after the rate limiter: see registerAuth). */
export function registerAccessChecks(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config
    if (req.is404 || config.public) return
    if (req.authFailure) throw req.authFailure
    const actor = actorOf(req)
    if (config.sessionOnly && actor.via === 'pat') {
      throw forbidden('This needs a signed-in session; a personal access token cannot manage tokens or sessions')
    }
    if (config.admin && (actor.role !== 'admin' || !actor.scopes.includes('admin'))) {
      throw forbidden('Administrator role required')
    }
    if (config.scope && !actor.scopes.includes(config.scope)) {
      throw forbidden(`This token lacks the ${config.scope} scope`)
    }
  })
}
