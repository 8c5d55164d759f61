import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Config } from '../../config.ts'
import { enforceLimits } from '../../http/rate-limit.ts'
import { Accepted, accepted, noContent } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { AuthSettings, PasswordResetConfirm, PasswordResetRequest } from './account.schema.ts'
import type { Identity } from './identity.ts'
import { confirmPasswordReset, requestPasswordReset } from './password-reset.ts'
import { SSO_LOGIN_URL } from './sso.ts'

const tags = ['auth']
const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** Sign-up settings and the password-reset flow (all public: the caller cannot sign in). */
export const accountRoutes: FastifyPluginAsyncZod<{
  identity: Identity
  limits: RateLimitStore
  config: Config
  queue: Pick<Queue, 'send'>
}> = async (app, { identity, limits, config, queue }) => {
  const on = config.RATE_LIMIT_ENABLED
  const perIp = (name: string, ip: string) => ({
    key: `${name}:ip:${ip}`,
    max: config.RATE_LIMIT_LOGIN_PER_MIN,
    windowMs: MINUTE,
  })

  app.get(
    '/auth/settings',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'How people sign up and sign in here',
        operationId: 'getAuthSettings',
        response: { 200: AuthSettings },
      },
    },
    async () => ({
      registration: config.REGISTRATION,
      emailVerification: config.EMAIL_VERIFICATION,
      sso:
        config.OIDC_ISSUER && config.OIDC_CLIENT_ID
          ? { name: config.OIDC_PROVIDER_NAME, loginUrl: SSO_LOGIN_URL }
          : null,
    }),
  )

  app.post(
    '/auth/password-reset',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Email a password-reset link (always 202, in the same time whether or not the email has an account)',
        operationId: 'requestPasswordReset',
        body: PasswordResetRequest,
        response: { 202: Accepted },
      },
      preHandler: async (req, reply) => {
        if (!on) return
        await enforceLimits(limits, reply, [
          perIp('reset', req.ip),
          { key: `reset:email:${req.body.email}`, max: config.RATE_LIMIT_PASSWORD_RESET_PER_HOUR, windowMs: HOUR },
        ])
      },
    },
    async (req, reply) => {
      await requestPasswordReset(queue, req.body.email)
      return accepted(reply)
    },
  )

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Set a new password with a reset link's token (signs out every session)",
        operationId: 'confirmPasswordReset',
        body: PasswordResetConfirm,
        response: { 204: noContent('The password is set; every session is signed out') },
      },
      preHandler: async (req, reply) => {
        if (on) await enforceLimits(limits, reply, [perIp('reset-confirm', req.ip)])
      },
    },
    async (req, reply) => {
      await confirmPasswordReset(identity, req.body)
      return reply.code(204).send(null)
    },
  )
}
