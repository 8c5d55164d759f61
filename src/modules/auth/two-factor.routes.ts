import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import { actorOf } from '../../http/auth.ts'
import { enforceLimits } from '../../http/rate-limit.ts'
import { errors, IdParams, noContent, Text } from '../../http/schemas.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import { AuthResult } from './auth.schema.ts'
import type { Identity } from './identity.ts'
import { completeSecondFactor } from './second-factor.ts'
import {
  confirmTotpEnrolment,
  disableTotp,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  resetSecondFactor,
  startTotpEnrolment,
  type TwoFactorDeps,
  twoFactorStatus,
} from './two-factor.ts'

const Code = Text.trim().min(6).max(32).meta({ description: 'A 6-digit code of the authenticator, or a recovery code' })
const MaybePassword = Text.min(1).max(256).optional().meta({ description: 'Required when the account has a password' })
const TwoFactorStatus = z
  .object({
    totp: z.boolean(),
    enabledAt: z.string().max(40).nullable(),
    recoveryCodesLeft: z.number().int().min(0).max(100),
  })
  .meta({ id: 'TwoFactorStatus', description: "The caller's second factor" })
const TotpEnrolment = z
  .object({
    secret: z.string().max(128).meta({ description: 'Base32, for typing into an authenticator' }),
    otpauthUri: z.string().max(1000),
    qrSvgDataUrl: z.string().max(200_000).meta({ description: 'The otpauth URI as a QR code (SVG data URL)' }),
  })
  .meta({ id: 'TotpEnrolment', description: 'A new authenticator secret, waiting for its first code' })
const RecoveryCodes = z
  .object({ recoveryCodes: z.array(z.string().max(32)).max(RECOVERY_CODE_COUNT) })
  .meta({ id: 'RecoveryCodes', description: 'Single-use codes for when the authenticator is lost: shown this once' })
const StartTotp = z.strictObject({ password: MaybePassword }).meta({ id: 'StartTotp', description: 'The password' })
const ConfirmTotp = z
  .strictObject({
    code: z
      .string()
      .max(16)
      .trim()
      .regex(/^\d{6}$/, 'must be 6 digits'),
  })
  .meta({ id: 'ConfirmTotp', description: 'The first code of the new authenticator' })
const ProveSecondFactor = z
  .strictObject({ password: MaybePassword, code: Code })
  .meta({ id: 'ProveSecondFactor', description: 'The password and a code' })
const SecondFactorLogin = z
  .strictObject({ challengeToken: Text.min(16).max(200), code: Code })
  .meta({ id: 'SecondFactorLogin', description: "The login's challenge and a code" })

/** Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes. */
export const twoFactorRoutes: FastifyPluginAsyncZod<{
  identity: Identity
  config: Config
  limits: RateLimitStore
  twoFactor: TwoFactorDeps
}> = async (app, { identity, config, limits, twoFactor: deps }) => {
  const tags = ['auth']
  const mine = { sessionOnly: true }

  app.get(
    '/users/me/two-factor',
    {
      config: mine,
      schema: {
        tags,
        summary: "The caller's second factor",
        operationId: 'getTwoFactor',
        response: { 200: TwoFactorStatus },
      },
    },
    async (req) => twoFactorStatus(deps.db, actorOf(req).userId),
  )

  app.post(
    '/users/me/two-factor/totp',
    {
      config: mine,
      schema: {
        tags,
        summary: 'Start setting up an authenticator: its secret, otpauth URI and QR code',
        operationId: 'startTotpEnrolment',
        body: StartTotp,
        response: { 200: TotpEnrolment, ...errors(403, 409) },
      },
    },
    async (req) => startTotpEnrolment(deps, actorOf(req), req.body),
  )

  app.post(
    '/users/me/two-factor/totp/confirm',
    {
      config: mine,
      schema: {
        tags,
        summary: 'Turn two-factor sign-in on with a first code; answers the recovery codes, once',
        operationId: 'confirmTotpEnrolment',
        body: ConfirmTotp,
        response: { 200: RecoveryCodes },
      },
    },
    async (req) => confirmTotpEnrolment(deps, actorOf(req), req.body),
  )

  app.post(
    '/users/me/two-factor/totp/disable',
    {
      config: mine,
      schema: {
        tags,
        summary: 'Turn two-factor sign-in off (password and a code)',
        operationId: 'disableTotp',
        body: ProveSecondFactor,
        response: { 204: noContent('Two-factor sign-in is off'), ...errors(403, 409) },
      },
    },
    async (req, reply) => {
      await disableTotp(deps, actorOf(req), req.body)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/users/me/two-factor/recovery-codes',
    {
      config: mine,
      schema: {
        tags,
        summary: 'New recovery codes (the old ones stop working)',
        operationId: 'regenerateRecoveryCodes',
        body: ProveSecondFactor,
        response: { 200: RecoveryCodes, ...errors(403, 409) },
      },
    },
    async (req) => regenerateRecoveryCodes(deps, actorOf(req), req.body),
  )

  app.post(
    '/auth/login/second-factor',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Finish a sign-in with a code (the login's challenge, 5 minutes)",
        operationId: 'loginSecondFactor',
        body: SecondFactorLogin,
        // a wrong code or a challenge that expired or burnt out
        response: { 200: AuthResult, ...errors(401) },
      },
      preHandler: async (req, reply) => {
        if (config.RATE_LIMIT_ENABLED) {
          await enforceLimits(limits, reply, [
            { key: `second-factor:ip:${req.ip}`, max: config.RATE_LIMIT_LOGIN_PER_MIN, windowMs: 60_000 },
          ])
        }
      },
    },
    async (req) => completeSecondFactor(identity, { ...deps, limits }, req.body),
  )

  app.delete(
    '/admin/users/:id/two-factor',
    {
      config: { admin: true, scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "Remove a user's second factor (they sign in with their password alone)",
        operationId: 'adminResetTwoFactor',
        params: IdParams,
        response: { 204: noContent('The second factor is removed'), ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      await resetSecondFactor(deps.db, req.params.id)
      req.log.info({ userId: req.params.id, by: actorOf(req).userId }, 'second factor reset by an administrator')
      return reply.code(204).send(null)
    },
  )
}
