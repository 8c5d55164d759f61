import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import { Comment, CommentQuery, CreateComment, UpdateComment } from './comments.schema.ts'
import { createComment, deleteComment, getComment, listComments, updateComment } from './comments.service.ts'

const tags = ['comments']
const read = { scope: 'tasks:read' as const }
const write = { scope: 'tasks:write' as const }

export const commentsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.database

  app.get(
    '/tasks/:id/comments',
    {
      config: read,
      schema: {
        tags,
        summary: "A task's comments, oldest first",
        operationId: 'listComments',
        params: IdParams,
        querystring: CommentQuery,
        response: { 200: pageOf(Comment), ...errors(403, 404) },
      },
    },
    async (req) => listComments(db, actorOf(req), req.params.id, req.query),
  )

  app.post(
    '/tasks/:id/comments',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Comment on a task',
        operationId: 'createComment',
        params: IdParams,
        body: CreateComment,
        response: { 201: Comment, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const comment = await createComment(db, actorOf(req), req.params.id, req.body.body)
      return reply
        .code(201)
        .header('location', `/api/v1/comments/${comment.id}`)
        .header('etag', etagOf(comment.version))
        .send(comment)
    },
  )

  app.get(
    '/comments/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A comment',
        operationId: 'getComment',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Comment, 304: NotModified, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const comment = await getComment(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, comment.version) ? reply : comment
    },
  )

  app.patch(
    '/comments/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Edit a comment (its author only)',
        operationId: 'updateComment',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateComment,
        response: { 200: Comment, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      const comment = await updateComment(db, actorOf(req), req.params.id, req.body, expectedVersion(req))
      return reply.header('etag', etagOf(comment.version)).send(comment)
    },
  )

  app.delete(
    '/comments/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a comment (its author or a team admin)',
        operationId: 'deleteComment',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await deleteComment(db, actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )
}
