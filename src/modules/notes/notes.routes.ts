import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../http/auth.ts'
import { IfNoneMatchHeaders, NotModified } from '../../http/conditional.ts'
import { etagOf, expectedVersion, sendEtag } from '../../http/etag.ts'
import { errors, IdParams, IfMatchHeaders, NoContent, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { FileBytes, FileUpload } from '../attachments/attachments.schema.ts'
import { sendStoredFile } from '../files/files.download.ts'
import { receiveFile, uploadRoute } from '../files/files.upload.ts'
import { CreateNote, Note, NoteListQuery, SetNoteTitle, UpdateNote } from './notes.schema.ts'
import {
  createNote,
  deleteNote,
  getNote,
  listNotes,
  noteFile,
  noteForFile,
  removeNoteFile,
  setNoteFile,
  updateNote,
} from './notes.service.ts'

const tags = ['notes']
const read = { scope: 'files:read' } as const
const write = { scope: 'files:write' } as const

export const notesRoutes: FastifyPluginAsyncZod<{ storage: Storage; queue: Queue }> = async (
  app,
  { storage, queue },
) => {
  const { db } = app.database
  const deps = (log: import('fastify').FastifyBaseLogger) => ({ db, storage, queue, log })
  const withEtag = (reply: import('fastify').FastifyReply, note: Note) =>
    reply.header('etag', etagOf(note.version)).send(note)

  app.get(
    '/notes',
    {
      config: read,
      schema: {
        tags,
        summary: "The caller's notes and the notes shared with projects of their teams, newest first",
        operationId: 'listNotes',
        querystring: NoteListQuery,
        response: { 200: pageOf(Note) },
      },
    },
    async (req) => listNotes(db, actorOf(req), req.query),
  )

  app.post(
    '/notes',
    {
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Create a note (personal, or shared with a project the caller is a member of)',
        operationId: 'createNote',
        body: CreateNote,
        response: { 201: Note },
      },
    },
    async (req, reply) => {
      const note = await createNote(db, actorOf(req), req.body)
      return withEtag(reply.code(201).header('location', `/api/v1/notes/${note.id}`), note)
    },
  )

  app.get(
    '/notes/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'A note',
        operationId: 'getNote',
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: Note, 304: NotModified, ...errors(404) },
      },
    },
    async (req, reply) => {
      const note = await getNote(db, actorOf(req), req.params.id)
      return sendEtag(req, reply, note.version) ? reply : note
    },
  )

  app.patch(
    '/notes/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a note (owner only; JSON Merge Patch)',
        operationId: 'updateNote',
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateNote,
        response: { 200: Note, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) =>
      withEtag(reply, await updateNote(db, actorOf(req), req.params.id, req.body, expectedVersion(req))),
  )

  app.put(
    '/notes/:id/title',
    {
      config: write,
      schema: {
        tags,
        summary: "Set a note's title (owner only)",
        operationId: 'setNoteTitle',
        params: IdParams,
        headers: IfMatchHeaders,
        body: SetNoteTitle,
        response: { 200: Note, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) =>
      withEtag(reply, await updateNote(db, actorOf(req), req.params.id, req.body, expectedVersion(req))),
  )

  app.delete(
    '/notes/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a note and its file (owner only)',
        operationId: 'deleteNote',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await deleteNote(deps(req.log), actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/notes/:id/file',
    {
      config: read,
      schema: {
        tags,
        summary: "Download a note's file (on S3: a redirect to a short-lived presigned URL)",
        operationId: 'getNoteFile',
        params: IdParams,
        produces: ['application/octet-stream'],
        response: {
          200: FileBytes.meta({ description: 'The bytes, as an attachment download' }),
          302: z.null().meta({ description: 'On S3: a redirect (Location) to a presigned URL valid for 60 s' }),
          ...errors(404),
        },
      },
    },
    async (req, reply) => sendStoredFile(reply, storage, await noteFile(db, actorOf(req), req.params.id)),
  )

  app.put(
    '/notes/:id/file',
    {
      ...uploadRoute,
      config: write,
      schema: {
        tags,
        summary: 'Attach or replace a note\'s file (owner only; multipart field "file")',
        operationId: 'setNoteFile',
        consumes: ['multipart/form-data'],
        body: FileUpload,
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 200: Note, ...errors(403, 404, 412, 413, 415) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      const expected = expectedVersion(req)
      await noteForFile(db, actor, req.params.id, expected)
      const file = await receiveFile(req, storage, app.config.MAX_UPLOAD_BYTES)
      return withEtag(reply, await setNoteFile(deps(req.log), actor, req.params.id, file, expected))
    },
  )

  app.delete(
    '/notes/:id/file',
    {
      config: write,
      schema: {
        tags,
        summary: "Remove a note's file (owner only)",
        operationId: 'removeNoteFile',
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: NoContent, ...errors(403, 404, 412) },
      },
    },
    async (req, reply) => {
      await removeNoteFile(deps(req.log), actorOf(req), req.params.id, expectedVersion(req))
      return reply.code(204).send(null)
    },
  )
}
