import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Config } from '../../config.ts'
import { actorOf } from '../../http/auth.ts'
import { enforceLimits } from '../../http/rate-limit.ts'
import { errors, noContent } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import {
  ChangePassword,
  Login,
  LoginResult,
  RefreshTokenBody,
  Register,
  RegisterResult,
  TokenPairResult,
} from './auth.schema.ts'
import { changePassword, login, register } from './auth.service.ts'
import { verifiedGate } from './email-verification.ts'
import type { Identity } from './identity.ts'
import { secondFactorGate } from './second-factor.ts'
import { revokeAllSessions, revokeFamilyOf, rotateSession } from './sessions.service.ts'
import type { TwoFactorDeps } from './two-factor.ts'

const tags = ['auth']
const MINUTE = 60_000
const HOUR = 60 * MINUTE

export const authRoutes: FastifyPluginAsyncZod<{
  identity: Identity
  limits: RateLimitStore
  config: Config
  queue: Pick<Queue, 'send'>
  twoFactor: TwoFactorDeps
}> = async (app, { identity, limits, config, queue, twoFactor }) => {
  const on = config.RATE_LIMIT_ENABLED
  const verification = { db: identity.sessionDeps.db, queue, mode: config.EMAIL_VERIFICATION }

  app.post(
    '/auth/register',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Create an account',
        operationId: 'register',
        body: Register,
        response: { 201: RegisterResult, ...errors(403, 409) },
      },
      preHandler: async (req, reply) => {
        if (on) {
          await enforceLimits(limits, reply, [
            { key: `register:ip:${req.ip}`, max: config.RATE_LIMIT_REGISTER_PER_HOUR, windowMs: HOUR },
          ])
        }
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .header('location', '/api/v1/users/me')
        .send(await register(identity, req.body, config.REGISTRATION, verification)),
  )

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with email and password',
        operationId: 'login',
        body: Login,
        response: { 200: LoginResult, ...errors(401, 403) },
      },
      preHandler: async (req, reply) => {
        if (on) {
          await enforceLimits(limits, reply, [
            { key: `login:ip:${req.ip}`, max: config.RATE_LIMIT_LOGIN_PER_MIN, windowMs: MINUTE },
            { key: `login:email:${req.body.email}`, max: config.RATE_LIMIT_LOGIN_PER_MIN, windowMs: MINUTE },
          ])
        }
      },
    },
    async (req) => {
      const verified = verifiedGate(verification, limits)
      const secondFactor = secondFactorGate(twoFactor)
      return login(identity, req.body, async (user) => (await verified(user)) ?? secondFactor(user))
    },
  )

  app.post(
    '/auth/refresh',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new pair (rotation with reuse detection)',
        operationId: 'refresh',
        body: RefreshTokenBody,
        response: { 200: TokenPairResult, ...errors(401) },
      },
      preHandler: async (req, reply) => {
        // refreshing is routine for every client: a looser per-IP limit than login
        if (on) {
          await enforceLimits(limits, reply, [
            { key: `refresh:ip:${req.ip}`, max: config.RATE_LIMIT_LOGIN_PER_MIN * 6, windowMs: MINUTE },
          ])
        }
      },
    },
    async (req) => rotateSession(identity.sessionDeps, req.body.refreshToken),
  )

  app.post(
    '/auth/logout',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Revoke the session of a refresh token',
        operationId: 'logout',
        body: RefreshTokenBody,
        response: { 204: noContent('The session of that refresh token is revoked') },
      },
    },
    async (req, reply) => {
      await revokeFamilyOf(identity.sessionDeps, req.body.refreshToken)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/logout-all',
    {
      // a personal access token scoped to, say, tasks:read must not be able to sign its owner out everywhere
      config: { sessionOnly: true },
      schema: {
        tags,
        summary: 'Revoke every session of the caller',
        operationId: 'logoutAll',
        response: { 204: noContent('Every session of the caller is revoked'), ...errors(403) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      await revokeAllSessions(identity.sessionDeps.db, identity.states, actor.userId)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/users/me/password',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['users'],
        summary: 'Change the password (signs out every other session)',
        operationId: 'changePassword',
        body: ChangePassword,
        response: { 204: noContent('Changed; every other session is signed out'), ...errors(403) },
      },
    },
    async (req, reply) => {
      await changePassword(identity, actorOf(req), req.body)
      return reply.code(204).send(null)
    },
  )
}
