import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { openDb } from '../src/db/client.ts'
import { migrateUp } from '../src/db/migrate.ts'
import { openDeps } from '../src/deps.ts'
import { createLogger } from '../src/logger.ts'
import type { Job } from '../src/modules/jobs/jobs.schema.ts'
import { freshDatabaseUrl, testDatabaseUrl } from './db.ts'
import { eventually } from './eventually.ts'
import { multipartBody } from './files-app.ts'
import type { GivenUser } from './given.ts'

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

/**
 * The environment of a `worker` process a test starts (`runCli(['worker'], env)`), with `extra` on
 * top: a fresh data directory (pushed on `dirs`, for the test file to remove after each test), and on
 * PostgreSQL a fresh database. `open` opens that database, for the test to set the scene through.
 */
export async function workerEnv(extra: Record<string, string>, dirs: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tasklane-worker-'))
  dirs.push(dataDir)
  const url = testDatabaseUrl() ? await freshDatabaseUrl() : undefined
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: 'info',
    RATE_LIMIT_ENABLED: 'false',
    ...extra,
    ...(url ? { DATABASE_URL: url } : {}),
  }
  const open = () => (url ? openDb({ url, poolSize: 2 }) : openDb({ dataDir: join(dataDir, 'db') }))
  return { env, open }
}

/**
 * For tests that kill worker processes: the environment a `worker` process gets (small batches, so a
 * job takes long enough to be killed in the middle; a short timeout, so the lost run is taken for dead
 * and run again soon after), and an API instance that runs no jobs, to set the scene through (close it
 * before starting a worker).
 */
export async function workerScene(dirs: string[]) {
  const { env, open } = await workerEnv({ JOB_BATCH_ROWS: '10', JOB_TIMEOUT_SECONDS: '20' }, dirs)
  const config = loadConfig(env)
  const database = await open()
  await migrateUp(database)
  const app = await buildApp(await openDeps({ config, database, logger: createLogger({ LOG_LEVEL: 'silent' }) }))
  await app.ready()
  return {
    env,
    config,
    open,
    app,
    closeApp: async () => {
      await app.close()
      await database.close()
    },
  }
}
