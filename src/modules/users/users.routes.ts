import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import { ExternalIdParams, Me, UpdateMe, User, UserSearch } from './users.schema.ts'
import { getUserByExternalId, getUserRow, searchUsers, toMe, updateMe } from './users.service.ts'

const tags = ['users']

export const usersRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

  app.get(
    '/users/me',
    { schema: { tags, summary: 'The caller', operationId: 'getMe', response: { 200: Me } } },
    async (req) => toMe(await getUserRow(db, actorOf(req).userId)),
  )

  app.patch(
    '/users/me',
    {
      schema: {
        tags,
        summary: 'Update the caller (name, notification preferences)',
        operationId: 'updateMe',
        body: UpdateMe,
        response: { 200: Me },
      },
    },
    async (req) => updateMe(db, actorOf(req), req.body),
  )

  app.get(
    '/users',
    {
      config: { scope: 'teams:read' },
      schema: {
        tags,
        summary: 'Users who share a team with the caller, searchable by name or email (admins: everyone)',
        operationId: 'searchUsers',
        querystring: UserSearch,
        response: { 200: pageOf(User), ...errors(403) },
      },
    },
    async (req) => searchUsers(db, actorOf(req), req.query),
  )

  app.get(
    '/users/by-external-id/:externalId',
    {
      schema: {
        tags,
        summary: 'Find a user by the external identity provider id (admins, or the user itself)',
        operationId: 'getUserByExternalId',
        params: ExternalIdParams,
        response: { 200: User, ...errors(404) },
      },
    },
    async (req) => getUserByExternalId(db, actorOf(req), req.params.externalId),
  )
}
