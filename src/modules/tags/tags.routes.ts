import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import { CreateTag, Tag, TagListQuery, UpdateTag } from './tags.schema.ts'
import { createTag, deleteTag, getTag, listTags, updateTag } from './tags.service.ts'

const tags = ['tags']
const read = { scope: 'tasks:read' } as const
const write = { scope: 'tasks:write' } as const

/** Team-scoped tags: any member reads them, team admins manage them. */
export const tagsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

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
      const tag = await createTag(db, actorOf(req), req.body)
      return reply.code(201).header('location', `/api/v1/tags/${tag.id}`).header('etag', etagOf(tag.version)).send(tag)
    },
  )

  app.get(
    '/tags/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A tag',
        operationId: 'getTag',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Tag, 304: NotModified, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const tag = await getTag(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, tag.version) ? reply : tag
    },
  )

  app.patch(
    '/tags/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename or recolor a tag (team admin or owner)',
        operationId: 'updateTag',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateTag,
        response: { 200: Tag, ...errors(403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      const tag = await updateTag(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(tag.version)).send(tag)
    },
  )

  app.delete(
    '/tags/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a tag; tasks lose it (team admin or owner)',
        operationId: 'deleteTag',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await deleteTag(db, actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )
}
