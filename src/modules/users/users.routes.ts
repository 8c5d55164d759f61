import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IfMatchHeaders, pageOf } from '../../http/schemas.ts'
import type { ListCache } from '../tasks/index.ts'
import { ExternalIdParams, Me, UpdateMe, User, UserSearch } from './users.schema.ts'
import { getUserByExternalId, getUserRow, searchUsers, toMe, updateMe } from './users.service.ts'

const tags = ['users']

export const usersRoutes: FastifyPluginAsyncZod<{ database: Database; listCache: ListCache }> = async (
  app,
  { database, listCache },
) => {
  const { db } = database

  app.get(
    '/users/me',
    {
      schema: {
        tags,
        summary: 'The caller',
        operationId: 'getMe',
        headers: IfNoneMatchHeaders,
        response: { 200: Me, 304: NotModified },
      },
    },
    async (req, reply) => {
      const row = await getUserRow(db, actorOf(req).userId)
      return sendEtag(req, reply, etagOf(row.version)) ? reply : toMe(row)
    },
  )

  app.patch(
    '/users/me',
    {
      // a token made to read tasks must not rename its owner or silence their notifications
      config: { scope: 'profile:write' },
      schema: {
        tags,
        summary: 'Update the caller (name, notification preferences)',
        operationId: 'updateMe',
        headers: IfMatchHeaders,
        body: UpdateMe,
        response: { 200: Me, ...errors(403, 412) },
      },
    },
    async (req, reply) => {
      const row = await updateMe(db, actorOf(req), req.body, expectedVersion(req))
      // task lists show assignees' names, and no activity entry says a name changed
      if (req.body.name !== undefined) await listCache.clear()
      return reply.header('etag', etagOf(row.version)).send(toMe(row))
    },
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
