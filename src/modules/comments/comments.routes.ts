import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Database } from '../../db/client.ts'
import { actorOf } from '../../http/auth.ts'
import { expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, IdParams, pageOf } from '../../http/schemas.ts'
import { Comment, CommentQuery, CreateComment, UpdateComment } from './comments.schema.ts'
import { createComment, deleteComment, getComment, listComments, updateComment } from './comments.service.ts'

const tags = ['comments']
const read = { scope: 'tasks:read' as const }
const write = { scope: 'tasks:write' as const }

export const commentsRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const { db } = database

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
      const comment = await createComment(writesOf(req, db), actorOf(req), req.params.id, req.body.body)
      return sendCreated(reply, `/api/v1/comments/${comment.id}`, comment)
    },
  )

  getOne(app, '/comments/:id', {
    config: read,
    schema: { tags, summary: 'A comment', operationId: 'getComment' },
    resource: Comment,
    errors: [403, 404],
    handler: (req) => getComment(db, actorOf(req), req.params.id),
  })

  writeOne(app, 'PATCH', '/comments/:id', {
    config: write,
    schema: { tags, summary: 'Edit a comment (its author only)', operationId: 'updateComment', body: UpdateComment },
    resource: Comment,
    errors: [403, 404],
    handler: (req) => updateComment(db, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  deleteOne(app, '/comments/:id', {
    config: write,
    schema: { tags, summary: 'Delete a comment (its author or a team admin)', operationId: 'deleteComment' },
    errors: [403, 404],
    handler: (req) => deleteComment(db, actorOf(req), req.params.id, expectedVersion(req)),
  })
}
