import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { errors, IdParams, noContent, PageQuery, pageOf } from '../../http/schemas.ts'
import { ApiToken, CreateApiToken, CreatedApiToken } from './tokens.schema.ts'
import { createApiToken, listApiTokens, MAX_ACTIVE_TOKENS, revokeApiToken } from './tokens.service.ts'

const tags = ['tokens']

/** Personal access tokens. Managing them needs a password session: a token cannot mint tokens. */
export const tokensRoutes: FastifyPluginAsyncZod<{
  database: Database
  identity: { tokensRevoked: () => void }
}> = async (app, { database, identity }) => {
  const { db } = database
  const forgetTokens = identity.tokensRevoked
  const config = { sessionOnly: true }

  app.post(
    '/tokens',
    {
      config,
      schema: {
        tags,
        summary: 'Create a personal access token (the secret is shown only here)',
        description: `A user holds at most ${MAX_ACTIVE_TOKENS} active (neither revoked nor expired) tokens: one more answers 409 until one is revoked or expires.`,
        operationId: 'createToken',
        body: CreateApiToken,
        response: { 201: CreatedApiToken, ...errors(403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await createApiToken(db, actorOf(req), req.body)),
  )

  app.get(
    '/tokens',
    {
      config,
      schema: {
        tags,
        summary: "The caller's personal access tokens (never their secrets)",
        operationId: 'listTokens',
        querystring: PageQuery,
        response: { 200: pageOf(ApiToken), ...errors(403) },
      },
    },
    async (req) => listApiTokens(db, actorOf(req), req.query),
  )

  app.delete(
    '/tokens/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke a personal access token',
        operationId: 'revokeToken',
        params: IdParams,
        response: { 204: noContent('Revoked'), ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      await revokeApiToken(db, actorOf(req), req.params.id)
      forgetTokens()
      return reply.code(204).send(null)
    },
  )
}
