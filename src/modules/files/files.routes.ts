import multipart from '@fastify/multipart'
import type { FastifyPluginAsync } from 'fastify'
import type { Queue } from '../../infra/queue.ts'
import type { Storage } from '../../infra/storage.ts'
import { attachmentsRoutes } from '../attachments/attachments.routes.ts'
import { notesRoutes } from '../notes/notes.routes.ts'

/** Attachments and notes: the routes that take uploads, with multipart parsing scoped to them. */
export const filesRoutes: FastifyPluginAsync<{ storage: Storage; queue: Queue }> = async (app, opts) => {
  // limits per request are set where the file is read (files.upload.ts); these are the outer bounds
  await app.register(multipart, { limits: { files: 1, fields: 20, fieldSize: 1024, parts: 25 } })
  await app.register(attachmentsRoutes, opts)
  await app.register(notesRoutes, opts)
}
