import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import type { Job } from '../src/modules/jobs/jobs.schema.ts'
import type { GivenUser } from './given.ts'
import { eventually, multipartBody } from './given-files.ts'

export type { Job }

type Plural = 'exports' | 'imports' | 'reports'

/** Starts an export or a report through the API (202 expected) and returns the job. */
export async function startJob(
  app: FastifyInstance,
  by: GivenUser,
  plural: 'exports' | 'reports',
  body: Record<string, unknown>,
): Promise<Job> {
  const res = await app.inject({ method: 'POST', url: `/api/v1/${plural}`, headers: by.auth, payload: body })
  expect(res.statusCode, res.body).toBe(202)
  expect(res.headers.location).toBe(`/api/v1/${plural}/${res.json().id}`)
  return res.json()
}

/** Uploads an import (multipart: teamId, format, dryRun, then the file); returns the raw answer. */
export function postImport(
  app: FastifyInstance,
  by: GivenUser,
  fields: { teamId: string; format: 'tasklane' | 'csv'; dryRun?: boolean },
  content: Buffer | string,
) {
  const body = multipartBody(
    { filename: fields.format === 'csv' ? 'tasks.csv' : 'export.json', content: Buffer.from(content) },
    { teamId: fields.teamId, format: fields.format, ...(fields.dryRun ? { dryRun: 'true' } : {}) },
  )
  return app.inject({
    method: 'POST',
    url: '/api/v1/imports',
    headers: { ...by.auth, ...body.headers },
    payload: body.payload,
  })
}

/** Polls a job until it is done or failed. */
export async function finished(
  app: FastifyInstance,
  by: GivenUser,
  plural: Plural,
  id: string,
  ms = 60_000,
): Promise<Job> {
  return eventually(async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/${plural}/${id}`, headers: by.auth })
    expect(res.statusCode, res.body).toBe(200)
    const job: Job = res.json()
    return job.status === 'done' || job.status === 'failed' ? job : undefined
  }, ms)
}

/** The finished file of an export or report. */
export async function download(app: FastifyInstance, by: GivenUser, plural: 'exports' | 'reports', id: string) {
  const res = await app.inject({ method: 'GET', url: `/api/v1/${plural}/${id}/download`, headers: by.auth })
  expect(res.statusCode, res.body).toBe(200)
  return res
}
