import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import { notFound } from '../../http/problem.ts'
import { enforceLimits } from '../../http/rate-limit.ts'
import { errors, Text } from '../../http/schemas.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { LoginResult } from './auth.schema.ts'
import type { Identity } from './identity.ts'
import { exchangeSsoCode, ssoSignIn } from './sso.service.ts'
import { FLOW_TTL_SECONDS, type SsoClient, SsoRefused } from './sso.ts'
import type { TwoFactorDeps } from './two-factor.ts'

const tags = ['auth']
const MINUTE = 60_000
const COOKIE = 'tasklane_sso'
const COOKIE_PATH = '/api/v1/auth/oidc'
// the web app's page that finishes a sign-on; what it needs rides in the fragment, which no server or Referer sees
const WEB_CALLBACK = '/sso/callback'

const Redirect = (description: string) => z.null().meta({ description })
const Param = (max: number) => Text.max(max).optional()
const CallbackQuery = z
  .object({
    code: Param(2048),
    state: Param(512),
    error: Param(256),
    error_description: Param(1024),
    iss: Param(2048),
  })
  .meta({ description: 'The provider’s authorization response (other parameters it adds are ignored)' })
const ExchangeBody = z
  .strictObject({ code: Text.min(16).max(200).meta({ description: 'The code the callback handed to the web app' }) })
  .meta({ id: 'SsoExchange', description: 'The single-use code of a finished single sign-on' })

function flowCookie(value: string, maxAge: number, secure: boolean) {
  return `${COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`
}

function readCookie(header: string | undefined): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [name, ...rest] = part.trim().split('=')
    if (name === COOKIE) return rest.join('=')
  }
  return undefined
}

/**
 * Browser single sign-on: login redirects to the provider with a flow sealed in a cookie bound to
 * this browser, the callback checks the answer and hands the web app a single-use code (never a
 * token in a URL), and the web app swaps the code for a session with a POST.
 */
export const ssoRoutes: FastifyPluginAsyncZod<{
  identity: Identity
  config: Config
  limits: RateLimitStore
  twoFactor: TwoFactorDeps
  sso: SsoClient | null
}> = async (app, { identity, config, limits, twoFactor, sso }) => {
  const perIp = (name: string) => async (req: { ip: string }, reply: Parameters<typeof enforceLimits>[1]) => {
    if (!config.RATE_LIMIT_ENABLED) return
    await enforceLimits(limits, reply, [
      { key: `${name}:ip:${req.ip}`, max: config.RATE_LIMIT_LOGIN_PER_MIN, windowMs: MINUTE },
    ])
  }
  const configured = () => {
    if (!sso) throw notFound('single sign-on (not configured)')
    return sso
  }
  const failed = (reason: string) => `${WEB_CALLBACK}#error=${reason}`

  app.get(
    '/auth/oidc/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Start single sign-on: a redirect to the identity provider (for a browser)',
        operationId: 'startSso',
        response: {
          302: Redirect(`To the provider; on failure to ${WEB_CALLBACK}#error=<reason>`),
          ...errors(404),
        },
      },
      preHandler: perIp('sso-login'),
    },
    async (_req, reply) => {
      const client = configured()
      try {
        const { url, sealedFlow } = await client.start()
        reply.header('set-cookie', flowCookie(sealedFlow, FLOW_TTL_SECONDS, client.secureCookie))
        return reply.code(302).header('cache-control', 'no-store').redirect(url)
      } catch (err) {
        if (!(err instanceof SsoRefused)) throw err
        return reply.code(302).redirect(failed(err.reason))
      }
    },
  )

  app.get(
    '/auth/oidc/callback',
    {
      config: { public: true, foreignQuery: true },
      schema: {
        tags,
        summary: "The identity provider's redirect back: signs the person in (for a browser)",
        operationId: 'finishSso',
        querystring: CallbackQuery,
        response: {
          302: Redirect(
            `To ${WEB_CALLBACK}#code=<single-use code for POST auth/oidc/exchange>, or ${WEB_CALLBACK}#error=<reason>: state_mismatch, provider_error, exchange_failed, unavailable, email_not_verified, domain_not_allowed, registration_closed, account_conflict, account_disabled`,
          ),
          ...errors(404),
        },
      },
      preHandler: perIp('sso-callback'),
    },
    async (req, reply) => {
      const client = configured()
      // the flow is spent whatever happens: a second visit of this URL finds no flow
      reply.header('set-cookie', flowCookie('', 0, client.secureCookie)).header('cache-control', 'no-store')
      const query = new URL(req.url, 'http://callback').searchParams
      try {
        const claims = await client.finish(readCookie(req.headers.cookie), query)
        const code = await ssoSignIn({ identity, config, sso: client }, claims)
        return reply.code(302).redirect(`${WEB_CALLBACK}#code=${code}`)
      } catch (err) {
        if (!(err instanceof SsoRefused)) throw err
        req.log.info({ reason: err.reason }, 'single sign-on refused')
        return reply.code(302).redirect(failed(err.reason))
      }
    },
  )

  app.post(
    '/auth/oidc/exchange',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Swap the code of a finished single sign-on for a session',
        operationId: 'exchangeSsoCode',
        body: ExchangeBody,
        // a code that is unknown, spent or expired
        response: { 200: LoginResult, ...errors(401) },
      },
      preHandler: perIp('sso-exchange'),
    },
    async (req) => exchangeSsoCode(identity, twoFactor, req.body.code),
  )
}
