import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../http/auth.ts'
import { etagOf, expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated, writeOne } from '../../http/routes.ts'
import { errors, IdParams, IfMatchHeaders, pageOf } from '../../http/schemas.ts'
import { FileBytes, FileUpload } from '../attachments/index.ts'
import {
  DownloadQuery,
  receiveFile,
  sendStoredFile,
  type UploadRoutesOptions,
  uploadParts,
  uploadRoute,
} from '../files/index.ts'
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

export const notesRoutes: FastifyPluginAsyncZod<UploadRoutesOptions> = async (
  app,
  { database, storage, queue, config },
) => {
  // multipart parsing is scoped to the routes that take uploads
  await app.register(multipart, uploadParts)
  const { db } = database
  const deps = (log: import('fastify').FastifyBaseLogger) => ({ db, storage, queue, log })

  app.get(
    '/notes',
    {
      config: read,
      schema: {
        tags,
        summary: "The caller's notes and the notes shared with projects of their teams, newest first",
        operationId: 'listNotes',
        querystring: NoteListQuery,
        response: { 200: pageOf(Note), ...errors(404) },
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
      const note = await createNote(writesOf(req, db), actorOf(req), req.body)
      return sendCreated(reply, `/api/v1/notes/${note.id}`, note)
    },
  )

  getOne(app, '/notes/:id', {
    config: read,
    schema: { tags, summary: 'A note', operationId: 'getNote' },
    resource: Note,
    errors: [404],
    handler: (req) => getNote(db, actorOf(req), req.params.id),
  })

  writeOne(app, 'PATCH', '/notes/:id', {
    config: write,
    schema: {
      tags,
      summary:
        'Change a note (JSON Merge Patch): its owner, while a member of the team it is shared with; an admin of that team may only unshare it ({"projectId": null})',
      operationId: 'updateNote',
      body: UpdateNote,
    },
    resource: Note,
    errors: [403, 404],
    handler: (req) => updateNote(db, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  writeOne(app, 'PUT', '/notes/:id/title', {
    config: write,
    schema: { tags, summary: "Set a note's title (owner only)", operationId: 'setNoteTitle', body: SetNoteTitle },
    resource: Note,
    errors: [403, 404],
    handler: (req) => updateNote(db, actorOf(req), req.params.id, req.body, expectedVersion(req)),
  })

  deleteOne(app, '/notes/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Delete a note and its file (its owner, or an admin of the team it is shared with)',
      operationId: 'deleteNote',
    },
    errors: [403, 404],
    handler: (req) => deleteNote(deps(req.log), actorOf(req), req.params.id, expectedVersion(req)),
  })

  app.get(
    '/notes/:id/file',
    {
      config: { ...read, ticket: true },
      schema: {
        tags,
        summary: "Download a note's file (on S3: a redirect to a short-lived presigned URL)",
        operationId: 'getNoteFile',
        querystring: DownloadQuery,
        params: IdParams,
        produces: ['application/octet-stream'],
        response: {
          200: FileBytes.meta({ description: 'The bytes, as an attachment download' }),
          302: z.null().meta({
            description:
              'On S3, for a file whose bytes prove its type (PDF, images, archives, office documents): a redirect (Location) to a presigned URL valid for 60 s; other files are streamed',
          }),
          ...errors(404, 503),
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
        response: { 200: Note, ...errors(403, 404, 412, 413, 415, 503) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      const expected = expectedVersion(req)
      await noteForFile(db, actor, req.params.id, expected)
      const file = await receiveFile(req, storage, config.MAX_UPLOAD_BYTES)
      const note = await setNoteFile(deps(req.log), actor, req.params.id, file, expected)
      return reply.header('etag', etagOf(note.version)).send(note)
    },
  )

  deleteOne(app, '/notes/:id/file', {
    config: write,
    schema: { tags, summary: "Remove a note's file (owner only)", operationId: 'removeNoteFile' },
    errors: [403, 404],
    handler: (req) => removeNoteFile(deps(req.log), actorOf(req), req.params.id, expectedVersion(req)),
  })
}
