import multipart from '@fastify/multipart'
import { and, eq } from 'drizzle-orm'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Db } from '../../db/client.ts'
import { projects } from '../../db/tables/projects.ts'
import { type Actor, actorOf } from '../../http/auth.ts'
import { writesOf } from '../../http/idempotency.ts'
import { badRequest, conflict, invalidField, tooManyRequests } from '../../http/problem.ts'
import { errors, IdParams, NoContent, pageOf } from '../../http/schemas.ts'
import type { Queue } from '../../infra/queue.ts'
import type { RateLimitStore } from '../../infra/rate-limit.ts'
import type { Storage } from '../../infra/storage.ts'
import { newId } from '../../lib/ids.ts'
import { requireRole } from '../access/index.ts'
import {
  DELETE_OBJECT_JOB,
  DownloadQuery,
  nameStoredFile,
  receiveFile,
  sendStoredFile,
  uploadRoute,
} from '../files/index.ts'
import { JOBS_PREFIX } from './jobs.export.ts'
import { CreateExport, CreateImport, CreateReport, Job, JobListQuery } from './jobs.schema.ts'

const ImportFields = CreateImport.omit({ file: true }).strict()
type ImportFields = z.infer<typeof ImportFields>

import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import type { JobKind } from '../../db/tables/jobs.ts'
import { createJob, deleteJob, jobFor, listJobs, toJob } from './jobs.service.ts'

const read = { scope: 'tasks:read' } as const
const write = { scope: 'tasks:write' } as const
const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  pdf: 'application/pdf',
}
const Download = z
  .string()
  .max(5 * 1024 * 1024 * 1024)
  .meta({ format: 'binary', description: 'The file, as an attachment download' })
const Redirect = z.null().meta({ description: 'On S3, a PDF: a redirect (Location) to a presigned URL valid for 60 s' })

/** At most JOBS_PER_MINUTE new jobs per user a minute, all kinds together (429 with Retry-After). */
async function limitJobs(limits: RateLimitStore, actor: Actor, perMinute: number) {
  const { count, resetAt } = await limits.hit(`jobs:user:${actor.userId}`, 60_000)
  if (count > perMinute) throw tooManyRequests(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)))
}

/** The project named in a body must be one of the team's (400 naming the field otherwise). */
async function requireTeamProject(db: Db, teamId: string, projectId: string | undefined) {
  if (!projectId) return
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.teamId, teamId)))
  if (!row) throw invalidField('body.projectId', 'not a project of this team')
}

/** GET list, GET one, DELETE and the download of one kind of job, at `/<plural>`. */
function jobRoutes(
  app: Parameters<FastifyPluginAsyncZod>[0],
  deps: JobsRouteDeps,
  kind: JobKind,
  plural: string,
  opts: { download: boolean },
) {
  const { db } = deps.database
  const tags = [plural]
  const name = plural[0]!.toUpperCase() + plural.slice(1, -1)
  app.get(
    `/${plural}`,
    {
      config: read,
      schema: {
        tags,
        summary: `The ${plural} the caller may see (their own; all of the team's for its admins), newest first`,
        operationId: `list${name}s`,
        querystring: JobListQuery,
        response: { 200: pageOf(Job), ...errors(404) },
      },
    },
    async (req) => {
      const actor = actorOf(req)
      if (req.query.teamId) await requireRole(db, actor, req.query.teamId, 'viewer')
      return listJobs(db, actor, kind, req.query)
    },
  )
  app.get(
    `/${plural}/:id`,
    {
      config: read,
      schema: {
        tags,
        summary: `One ${kind} (its creator and the team's admins; 404 to anyone else)`,
        operationId: `get${name}`,
        params: IdParams,
        response: { 200: Job, ...errors(404) },
      },
    },
    async (req) => toJob(await jobFor(db, actorOf(req), kind, req.params.id)),
  )
  app.delete(
    `/${plural}/:id`,
    {
      config: read,
      schema: {
        tags,
        summary: `Delete a ${kind} and its file (a running one stops)`,
        operationId: `delete${name}`,
        params: IdParams,
        response: { 204: NoContent, ...errors(404) },
      },
    },
    async (req, reply) => {
      await deleteJob({ db, queue: deps.queue }, actorOf(req), kind, req.params.id, DELETE_OBJECT_JOB)
      return reply.code(204).send(null)
    },
  )
  if (!opts.download) return
  app.get(
    `/${plural}/:id/download`,
    {
      config: { ...read, ticket: true },
      schema: {
        tags,
        summary: `The ${kind}'s file (409 while it is not done)`,
        operationId: `download${name}`,
        querystring: DownloadQuery,
        params: IdParams,
        produces: ['application/octet-stream'],
        response: { 200: Download, 302: Redirect, ...errors(404, 409) },
      },
    },
    async (req, reply) => {
      const row = await jobFor(db, actorOf(req), kind, req.params.id)
      const result = row.result as { filename: string; size: number } | null
      if (row.status !== 'done' || !row.resultKey || !result) throw conflict(`The ${kind} is ${row.status}, not done`)
      const ext = row.resultKey.slice(row.resultKey.lastIndexOf('.') + 1)
      return sendStoredFile(reply, deps.storage, {
        key: row.resultKey,
        filename: result.filename,
        contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        size: result.size,
      })
    },
  )
}

/** Exports, imports and reports: background jobs with one resource shape (API.md). */
interface JobsRouteDeps {
  database: Database
  queue: Queue
  storage: Storage
  limits: RateLimitStore
  config: Pick<Config, 'RATE_LIMIT_ENABLED' | 'JOBS_PER_MINUTE' | 'IMPORT_MAX_BYTES'>
}

export const jobsRoutes: FastifyPluginAsyncZod<JobsRouteDeps> = async (app, deps) => {
  const { database, queue, storage, limits, config } = deps
  const { db } = database
  app.post(
    '/exports',
    {
      config: { ...read, idempotent: true },
      schema: {
        tags: ['exports'],
        summary: "Export a team's tasks as CSV, or its data as Tasklane JSON (202; poll the job or follow /events)",
        operationId: 'createExport',
        body: CreateExport,
        response: { 202: Job, ...errors(404, 429) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      await requireRole(db, actor, req.body.teamId, 'viewer')
      await requireTeamProject(db, req.body.teamId, req.body.projectId)
      if (config.RATE_LIMIT_ENABLED) await limitJobs(limits, actor, config.JOBS_PER_MINUTE)
      const { teamId, projectId, format, filter } = req.body
      const job = await createJob({ db: writesOf(req, db), queue }, actor, {
        kind: 'export',
        teamId,
        projectId,
        params: { format, filter: filter ?? {} },
      })
      return reply.code(202).header('location', `/api/v1/exports/${job.id}`).send(job)
    },
  )
  jobRoutes(app, deps, 'export', 'exports', { download: true })

  app.post(
    '/reports',
    {
      config: { ...read, idempotent: true },
      schema: {
        tags: ['reports'],
        summary: "A PDF of a team's (or project's) dashboard for a range (202; poll the job or follow /events)",
        operationId: 'createReport',
        body: CreateReport,
        response: { 202: Job, ...errors(404, 429) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      const { teamId, projectId, from, to } = req.body
      await requireRole(db, actor, teamId, 'viewer')
      await requireTeamProject(db, teamId, projectId)
      if (config.RATE_LIMIT_ENABLED) await limitJobs(limits, actor, config.JOBS_PER_MINUTE)
      const job = await createJob({ db: writesOf(req, db), queue }, actor, {
        kind: 'report',
        teamId,
        projectId,
        params: { from, to },
      })
      return reply.code(202).header('location', `/api/v1/reports/${job.id}`).send(job)
    },
  )
  jobRoutes(app, deps, 'report', 'reports', { download: true })

  // the upload's limits are set where it is read; these are the outer bounds
  await app.register(multipart, { limits: { files: 1, fields: 10, fieldSize: 100, parts: 12 } })
  app.post(
    '/imports',
    {
      ...uploadRoute,
      config: write,
      schema: {
        tags: ['imports'],
        summary:
          'Import Tasklane JSON or CSV into a team, all or nothing (team admins; multipart: teamId, format, dryRun, then file)',
        description:
          'The fields come before the file. At most IMPORT_MAX_BYTES (default 100 MiB): 413 beyond. The job fails, writing nothing, when any row is invalid; its result lists up to 100 errors by row and field.',
        operationId: 'createImport',
        consumes: ['multipart/form-data'],
        body: CreateImport,
        response: { 202: Job, ...errors(403, 404, 413, 415, 429, 503) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req)
      const id = newId()
      let fields: ImportFields | undefined
      const file = await receiveFile(req, storage, config.IMPORT_MAX_BYTES, {
        key: `${JOBS_PREFIX}${id}/input`,
        accept: async (sent) => {
          const parsed = ImportFields.safeParse(sent)
          if (!parsed.success) {
            throw badRequest(
              'Invalid import fields',
              parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
            )
          }
          fields = parsed.data
          await requireRole(db, actor, fields.teamId, 'admin')
          if (config.RATE_LIMIT_ENABLED) await limitJobs(limits, actor, config.JOBS_PER_MINUTE)
        },
      })
      const { teamId, format, dryRun } = fields!
      const job = await nameStoredFile(storage, file, req.log, () =>
        createJob({ db, queue }, actor, {
          id,
          kind: 'import',
          teamId,
          params: { format, dryRun: dryRun === 'true', filename: file.filename, size: file.size },
          inputKey: file.key,
        }),
      )
      return reply.code(202).header('location', `/api/v1/imports/${job.id}`).send(job)
    },
  )
  jobRoutes(app, deps, 'import', 'imports', { download: false })
}
