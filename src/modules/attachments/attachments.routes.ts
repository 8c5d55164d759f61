import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../http/auth.ts'
import { etagOf, expectedVersion } from '../../http/etag.ts'
import { writesOf } from '../../http/idempotency.ts'
import { deleteOne, getOne, sendCreated } from '../../http/routes.ts'
import { errors, IdParams, IfMatchHeaders, PageQuery, pageOf } from '../../http/schemas.ts'
import {
  DownloadQuery,
  receiveFile,
  sendStoredFile,
  type UploadRoutesOptions,
  uploadParts,
  uploadRoute,
} from '../files/index.ts'
import { Attachment, AttachmentText, FileBytes, FileUpload } from './attachments.schema.ts'
import {
  attachmentContent,
  attachmentForReplace,
  attachmentText,
  createAttachment,
  deleteAttachment,
  getAttachment,
  listAttachments,
  replaceAttachmentContent,
  requestExtraction,
  taskForUpload,
} from './attachments.service.ts'

const tags = ['attachments']
const read = { scope: 'files:read' } as const
const write = { scope: 'files:write' } as const
const Download = FileBytes.meta({ description: 'The bytes, as an attachment download' })
const Redirect = z.null().meta({
  description:
    'On S3, for a file whose bytes prove its type (PDF, images, archives, office documents): a redirect (Location) to a presigned URL valid for 60 s; other files are streamed',
})

export const attachmentsRoutes: FastifyPluginAsyncZod<UploadRoutesOptions> = async (
  app,
  { database, storage, queue, config },
) => {
  // multipart parsing is scoped to the routes that take uploads
  await app.register(multipart, uploadParts)
  const { db } = database
  const maxBytes = config.MAX_UPLOAD_BYTES

  app.post(
    '/tasks/:id/attachments',
    {
      ...uploadRoute,
      config: { ...write, idempotent: true },
      schema: {
        tags,
        summary: 'Upload a file to a task (multipart field "file"; members)',
        description: `The content type is sniffed from the bytes. At most MAX_UPLOAD_BYTES (default 25 MiB): 413 beyond. PDFs get their text extracted in the background.`,
        operationId: 'createAttachment',
        consumes: ['multipart/form-data'],
        body: FileUpload,
        params: IdParams,
        response: { 201: Attachment, ...errors(403, 404, 413, 415, 503) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      await taskForUpload(db, actor, req.params.id)
      const file = await receiveFile(req, storage, maxBytes)
      const attachment = await createAttachment(
        { db: writesOf(req, db), storage, queue, log: req.log },
        actor,
        req.params.id,
        file,
      )
      req.log.info({ attachmentId: attachment.id, size: attachment.size }, 'attachment uploaded')
      return sendCreated(reply, `/api/v1/attachments/${attachment.id}`, attachment)
    },
  )

  app.get(
    '/tasks/:id/attachments',
    {
      config: read,
      schema: {
        tags,
        summary: "A task's attachments, oldest first",
        operationId: 'listAttachments',
        params: IdParams,
        querystring: PageQuery,
        response: { 200: pageOf(Attachment), ...errors(404) },
      },
    },
    async (req) => listAttachments(db, actorOf(req), req.params.id, req.query),
  )

  getOne(app, '/attachments/:id', {
    config: read,
    schema: { tags, summary: 'An attachment', operationId: 'getAttachment' },
    resource: Attachment,
    errors: [404],
    handler: (req) => getAttachment(db, actorOf(req), req.params.id),
  })

  deleteOne(app, '/attachments/:id', {
    config: write,
    schema: {
      tags,
      summary: 'Delete an attachment (its uploader or a team admin); the bytes are removed in the background',
      operationId: 'deleteAttachment',
    },
    errors: [403, 404],
    handler: (req) =>
      deleteAttachment({ db, storage, queue, log: req.log }, actorOf(req), req.params.id, expectedVersion(req)),
  })

  app.get(
    '/attachments/:id/content',
    {
      config: { ...read, ticket: true },
      schema: {
        tags,
        summary: 'Download the file (on S3: a redirect to a short-lived presigned URL)',
        operationId: 'getAttachmentContent',
        querystring: DownloadQuery,
        params: IdParams,
        produces: ['application/octet-stream'],
        response: { 200: Download, 302: Redirect, ...errors(404, 503) },
      },
    },
    async (req, reply) => sendStoredFile(reply, storage, await attachmentContent(db, actorOf(req), req.params.id)),
  )

  app.put(
    '/attachments/:id/content',
    {
      ...uploadRoute,
      config: write,
      schema: {
        tags,
        summary: 'Replace the file (its uploader or a team admin; multipart field "file")',
        operationId: 'replaceAttachmentContent',
        consumes: ['multipart/form-data'],
        body: FileUpload,
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 200: Attachment, ...errors(403, 404, 412, 413, 415, 503) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      const expected = expectedVersion(req)
      await attachmentForReplace(db, actor, req.params.id, expected)
      const file = await receiveFile(req, storage, maxBytes)
      const deps = { db, storage, queue, log: req.log }
      const attachment = await replaceAttachmentContent(deps, actor, req.params.id, file, expected)
      return reply.header('etag', etagOf(attachment.version)).send(attachment)
    },
  )

  app.get(
    '/attachments/:id/text',
    {
      config: read,
      schema: {
        tags,
        summary: 'The text extracted from a PDF attachment',
        operationId: 'getAttachmentText',
        params: IdParams,
        response: { 200: AttachmentText, ...errors(404) },
      },
    },
    async (req) => attachmentText(db, actorOf(req), req.params.id),
  )

  app.post(
    '/attachments/:id/extract',
    {
      config: write,
      schema: {
        tags,
        summary: 'Run text extraction again (PDFs; other files are marked skipped)',
        operationId: 'extractAttachmentText',
        params: IdParams,
        response: { 202: Attachment, ...errors(403, 404) },
      },
    },
    async (req, reply) => {
      const attachment = await requestExtraction({ db, storage, queue, log: req.log }, actorOf(req), req.params.id)
      return reply.code(202).header('etag', etagOf(attachment.version)).send(attachment)
    },
  )
}
