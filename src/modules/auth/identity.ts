import type { FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import { type Actor, type Authenticator, type Scope, scopesForRole } from '../../http/auth.ts'
import { Problem, unauthorized } from '../../http/problem.ts'
import type { PubSub } from '../../infra/pubsub.ts'
import { sha256 } from '../../lib/crypto.ts'
import { findApiToken, PAT_PREFIX, touchApiToken } from '../tokens/index.ts'
import { endedCredentials, type IssuedWith } from './credentials.ts'
import { bearerRules, externalAccount, type UserCreatedHook } from './external-accounts.ts'
import { accessTokens } from './jwt.ts'
import { oidcVerifier } from './oidc.ts'
import type { SessionDeps } from './sessions.service.ts'
import { type CacheStats, userStates } from './user-state.ts'

export type { UserCreatedHook }

export interface IdentityDeps {
  db: Db
  config: Config
  log: Logger
  onUserCreated?: UserCreatedHook
}

/** Everything the auth routes and the per-request check share: token issuing, user state, the authenticator. */
export function createIdentity({ db, config, log, onUserCreated }: IdentityDeps) {
  const tokens = accessTokens(config.JWT_SECRET, config.ACCESS_TOKEN_TTL, config.AUTH_CACHE_TTL > 0 ? 10_000 : 0)
  const cacheMs = config.AUTH_CACHE_TTL * 1000
  const states = userStates(db, config.ACCESS_TOKEN_TTL, cacheMs)
  const oidc =
    config.OIDC_ISSUER && config.OIDC_AUDIENCE
      ? oidcVerifier({
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          jwksUrl: config.OIDC_JWKS_URL,
          log,
        })
      : null
  const patCache = new Map<string, { id: string; userId: string; scopes: Scope[]; expiresAt: number; until: number }>()
  const patStats: CacheStats = { hits: 0, misses: 0 }
  const touched = new Map<string, number>()
  const tokenListeners: (() => void)[] = []
  const credentialListeners: ((userId: string | null) => void)[] = []
  const sessionDeps: SessionDeps = { db, tokens, states, refreshTtlSeconds: config.REFRESH_TOKEN_TTL, log }
  const oidcRules = bearerRules(config.REGISTRATION)
  const userCreated: UserCreatedHook = async (tx, user) => {
    await onUserCreated?.(tx, user)
  }

  async function actorFor(
    userId: string,
    via: Actor['via'],
    scopes?: readonly Scope[],
    tokenId?: string,
    sessionFamily?: string,
  ): Promise<Actor> {
    const state = await states.get(userId)
    if (!state || state.disabled) throw unauthorized('The account is disabled or does not exist')
    if (sessionFamily && state.revokedFamilies.has(sessionFamily)) throw unauthorized('The session was signed out')
    const roleScopes = scopesForRole(state.role)
    return {
      userId,
      role: state.role,
      via,
      tokenId,
      sessionFamily,
      // a token never exceeds its owner's current role (a demoted admin's admin-scoped token loses admin)
      scopes: scopes ? scopes.filter((s) => roleScopes.includes(s)) : roleScopes,
    } satisfies Actor
  }

  async function fromPat(secret: string): Promise<Actor> {
    const key = sha256(secret)
    let entry = patCache.get(key)
    if (entry && entry.until >= Date.now()) patStats.hits++
    else {
      patStats.misses++
      const row = await findApiToken(db, secret)
      if (!row) throw unauthorized('Invalid personal access token')
      entry = {
        id: row.id,
        userId: row.userId,
        scopes: row.scopes as Scope[],
        expiresAt: row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
        until: Date.now() + cacheMs,
      }
      if (cacheMs > 0) {
        if (patCache.size > 10_000) patCache.clear()
        patCache.set(key, entry)
      }
    }
    if (entry.expiresAt <= Date.now()) throw unauthorized('The personal access token has expired')
    const last = touched.get(entry.id) ?? 0
    if (Date.now() - last > 60_000) {
      touched.set(entry.id, Date.now())
      void touchApiToken(db, entry.id).catch((err) => log.warn({ err }, 'could not record token use'))
    }
    return actorFor(entry.userId, 'pat', entry.scopes, entry.id)
  }

  const authenticate: Authenticator = async (token: string, _req: FastifyRequest) => {
    if (token.startsWith(PAT_PREFIX)) return fromPat(token)
    const claims = await tokens.verify(token)
    if (claims) return actorFor(claims.sub, 'session', undefined, undefined, claims.sid)
    if (oidc) {
      const external = await oidc.verify(token)
      if (external) {
        return actorFor((await externalAccount({ db, log, userCreated }, external, oidcRules)).id, 'oidc')
      }
    }
    throw unauthorized('Invalid or expired access token')
  }

  /**
   * The caller a credential stood for when it was issued (an event ticket), as it is now: null once
   * the session was signed out, the token revoked or expired, or the user disabled.
   */
  async function resume(c: IssuedWith): Promise<Actor | null> {
    if ((await endedCredentials(db, [c])).length) return null
    try {
      return await actorFor(c.userId, c.via, c.scopes, c.tokenId, c.sessionFamily)
    } catch (err) {
      if (err instanceof Problem && err.status === 401) return null
      throw err
    }
  }

  return {
    tokens,
    states,
    /** hits and misses of the two per-request caches, for /metrics */
    cacheStats: { user: states.stats, pat: patStats, jwt: tokens.stats },
    sessionDeps,
    authenticate,
    resume,
    userCreated,
    /** forget cached token lookups here (a message from another instance) */
    forgetTokens: () => patCache.clear(),
    /** a token was revoked: forget it here and tell the other instances */
    tokensRevoked: () => {
      patCache.clear()
      for (const l of tokenListeners) l()
    },
    onTokensRevoked: (listener: () => void) => tokenListeners.push(listener),
    /**
     * Called on every instance when a user's sessions or state changed (their id) or when some
     * token was revoked (null): what holds a credential open (an event stream) checks it again.
     */
    onCredentialsChanged: (listener: (userId: string | null) => void) => credentialListeners.push(listener),
    credentialsChanged: (userId: string | null) => {
      for (const l of credentialListeners) l(userId)
    },
  }
}
export type Identity = ReturnType<typeof createIdentity>

const USER_CHANNEL = 'tasklane:invalidate:user'
const TOKENS_CHANNEL = 'tasklane:invalidate:tokens'

/**
 * Makes a sign-out, a disabled user or a revoked token take effect on every instance within a
 * moment: invalidations are published, and each instance drops its cached copy on receipt.
 */
export function wireInvalidation(identity: Identity, pubsub: PubSub) {
  identity.states.onInvalidate((userId) => void pubsub.publish(USER_CHANNEL, userId))
  pubsub.subscribe(USER_CHANNEL, (userId) => {
    identity.states.forget(userId)
    identity.credentialsChanged(userId)
  })
  identity.onTokensRevoked(() => void pubsub.publish(TOKENS_CHANNEL, '*'))
  pubsub.subscribe(TOKENS_CHANNEL, () => {
    identity.forgetTokens()
    identity.credentialsChanged(null)
  })
}
