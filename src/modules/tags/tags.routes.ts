import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, pageOf } from '../../http/schemas.ts'
import { CreateTag, Tag, TagListQuery, UpdateTag } from './tags.schema.ts'
import { createTag, deleteTag, getTag, listTags, updateTag } from './tags.service.ts'

const tags = ['tags']
const read = { scope: 'tasks:read' } as const
const write = { scope: 'tasks:write' } as const

/** Team-scoped tags: any member reads them, team admins manage them. */
export const tagsRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const { db } = database

  app.get(
    '/tags',
    {
      config: read,
      schema: {
        tags,
        summary: "A team's tags, by name",
        operationId: 'listTags',
        querystring: TagListQuery,
        response: { 200: pageOf(Tag), ...errors(403, 404) },
      },
    },
    async (req) => listTags(db, actorOf(req), req.query),
  )

  app.post(
    '/tags',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Create a tag in a team (team admin or owner); the name is unique in the team',
        operationId: 'createTag',
        body: CreateTag,
        response: { 201: Tag, ...errors(403, 409) },
      },
    },
    async (req, reply) => {
      const tag = await createTag(writesOf(req, db), actorOf(req), req.body)
      return sendCreated(reply, `/api/v1/tags/${tag.id}`, tag)
    },
  )

  getOne(app, '/tags/:id', {
    config: read,
    schema: { tags, summary: 'A tag', operationId: 'getTag' },
    resource: Tag,
    errors: [403, 404],
    handler: (req) => getTag(db, actorOf(req), req.params.id),
  })

  writeOne(app, 'PATCH', '/tags/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Rename or recolor a tag (team admin or owner)',
      operationId: 'updateTag',
      body: UpdateTag,
    },
    resource: Tag,
    errors: [403, 404, 409],
    handler: (req) => updateTag(db, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  deleteOne(app, '/tags/:id', {
    config: write,
    schema: { tags, summary: 'Delete a tag; tasks lose it (team admin or owner)', operationId: 'deleteTag' },
    errors: [403, 404],
    handler: (req) => deleteTag(db, actorOf(req), req.params.id, expectedVersion(req)),
  })
}
