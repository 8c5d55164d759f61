import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { enforceLimits } from '../../http/rate-limit.ts'
import { Accepted, accepted, errors, noContent, Text } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { Email, Me, toMe } from '../users/index.ts'
import { LinkToken } from './account.schema.ts'
import { changeEmail, confirmEmail, resendVerification } from './email-verification.ts'
import type { UserStates } from './user-state.ts'

const VerifyEmail = z
  .strictObject({ token: LinkToken })
  .meta({ id: 'VerifyEmail', description: 'The token of an email-verification link' })
const ChangeEmail = z
  .strictObject({
    email: Email,
    currentPassword: Text.min(1).max(256).optional().meta({ description: 'Required when the account has a password' }),
  })
  .meta({ id: 'ChangeEmail', description: 'The new address, and the password' })

/** Verifying the address (EMAIL_VERIFICATION) and changing it, which verifies the new one. */
export const emailVerificationRoutes: FastifyPluginAsyncZod<{
  config: Config
  limits: RateLimitStore
  queue: Pick<Queue, 'send'>
  identity: { states: UserStates }
  database: Database
}> = async (app, { config, limits, queue, identity: { states }, database }) => {
  const deps = { db: database.db, queue, mode: config.EMAIL_VERIFICATION }
  const on = config.RATE_LIMIT_ENABLED

  app.post(
    '/auth/verify-email',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Use an email-verification link's token (verifies the address, or completes a change to it)",
        operationId: 'verifyEmail',
        body: VerifyEmail,
        response: { 204: noContent('The address is verified (and is the account’s)'), ...errors(409) },
      },
      preHandler: async (req, reply) => {
        if (on) {
          await enforceLimits(limits, reply, [
            { key: `verify:ip:${req.ip}`, max: config.RATE_LIMIT_LOGIN_PER_MIN, windowMs: 60_000 },
          ])
        }
      },
    },
    async (req, reply) => {
      const user = await confirmEmail(deps, req.body.token)
      states.invalidate(user.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/users/me/verify-email',
    {
      schema: {
        tags: ['users'],
        summary: 'Email the caller a new verification link (3 an hour)',
        operationId: 'resendVerificationEmail',
        response: { 202: Accepted, ...errors(409) },
      },
      preHandler: async (req, reply) => {
        if (on) {
          await enforceLimits(limits, reply, [
            { key: `verify-resend:user:${actorOf(req).userId}`, max: 3, windowMs: 3600_000 },
          ])
        }
      },
    },
    async (req, reply) => {
      await resendVerification(deps, actorOf(req))
      return accepted(reply)
    },
  )

  app.post(
    '/users/me/email',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['users'],
        summary:
          'Change the email address: 202 and a link to the new address (it changes when used), or 200 at once when verification is off',
        operationId: 'changeEmail',
        body: ChangeEmail,
        response: { 200: Me, 202: Accepted, ...errors(403, 409) },
      },
    },
    async (req, reply) => {
      const { applied, user } = await changeEmail(deps, actorOf(req), req.body)
      if (!applied) return accepted(reply)
      states.invalidate(user.id)
      return reply.send(toMe(user))
    },
  )
}
