import { Readable } from 'node:stream'
import type { Database, Db } from '../../db/client.ts'
import type { Storage } from '../../infra/storage.ts'
import { iso } from '../../lib/time.ts'
import { csvHeader, taskCsvRow, taskJson } from './export.format.ts'
import { commentBatch, countComments, countTasks, type ExportScope, taskBatch, teamHead } from './export.queries.ts'
import type { Outcome, Run } from './jobs.run.ts'
import type { ExportFilter } from './jobs.schema.ts'

/** Every object jobs write lives under this prefix (their own sweep looks there). */
export const JOBS_PREFIX = 'jobs/'

export interface ExportDeps {
  database: Database
  storage: Storage
  /** rows read per statement */
  batchRows: number
}

const json = (v: unknown) => JSON.stringify(v)

/** The scope of a job of kind export (or report): its team, project and filter, for its creator. */
const scopeOf = (run: Run): ExportScope => ({
  teamId: run.job.teamId,
  projectId: run.job.projectId,
  filter: ((run.job.params as { filter?: ExportFilter }).filter ?? {}) as ExportFilter,
  userId: run.job.createdBy,
  now: run.job.createdAt,
})

/**
 * Reads the scope in keyset batches (one statement per `batchRows` rows, never the whole table in
 * memory) and yields the file's bytes batch by batch; the storage write pulls them, so a slow store
 * slows the reads instead of letting rows pile up.
 */
async function* csvBytes(db: Db, s: ExportScope, run: Run, batchRows: number, counted: { rows: number }) {
  yield Buffer.from(csvHeader())
  let after: string | null = null
  for (;;) {
    const rows = await taskBatch(db, s, after, batchRows)
    if (!rows.length) return
    yield Buffer.from(rows.map(taskCsvRow).join(''))
    counted.rows += rows.length
    after = rows.at(-1)!.id
    await run.progress(counted.rows)
  }
}

async function* jsonBytes(db: Db, s: ExportScope, run: Run, batchRows: number, counted: { rows: number }) {
  const head = await teamHead(db, s)
  yield Buffer.from(
    `{"format":"tasklane","version":1,"exportedAt":${json(iso(new Date()))},"team":${json(head.team)},` +
      `"members":${json(head.members)},"projects":${json(head.projects)},"tags":${json(head.tags)},\n"tasks":[`,
  )
  let done = 0
  let first = true
  for (const [batch, toJson] of [
    [taskBatch, taskJson],
    [commentBatch, (c: unknown) => c],
  ] as const) {
    if (!first) yield Buffer.from('],\n"comments":[')
    first = false
    let after: string | null = null
    let text = ''
    for (;;) {
      const rows: { id: string }[] = await batch(db, s, after, batchRows)
      if (!rows.length) break
      text = ''
      for (const r of rows) text += `${after === null && text === '' ? '\n' : ',\n'}${json(toJson(r as never))}`
      yield Buffer.from(text)
      if (batch === taskBatch) counted.rows += rows.length
      done += rows.length
      after = rows.at(-1)!.id
      await run.progress(done)
    }
  }
  yield Buffer.from(']}\n')
}

/**
 * Streams the export to a new object of its own (`jobs/<job>/<run>.<ext>`, written whole or not at
 * all), then returns what finishing the job records; a run that lost its job has its object removed
 * by the caller. On PostgreSQL every batch reads one snapshot (a read-only repeatable-read
 * transaction), so rows changed during a long export are exported as they were at its start.
 */
export async function runExport(deps: ExportDeps, run: Run): Promise<Outcome & { resultKey: string }> {
  const format = (run.job.params as { format: 'csv' | 'json' }).format
  const s = scopeOf(run)
  const key = `${JOBS_PREFIX}${run.job.id}/${run.runId}.${format}`
  const counted = { rows: 0 }
  const write = async (db: Db) => {
    const total = (await countTasks(db, s)) + (format === 'json' ? await countComments(db, s) : 0)
    await run.progress(0, total)
    const bytes =
      format === 'csv' ? csvBytes(db, s, run, deps.batchRows, counted) : jsonBytes(db, s, run, deps.batchRows, counted)
    const contentType = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json'
    return deps.storage.put(key, Readable.from(bytes), { contentType })
  }
  const put =
    deps.database.kind === 'postgres'
      ? await deps.database.db.transaction(write, { isolationLevel: 'repeatable read', accessMode: 'read only' })
      : // the embedded database is one session: a transaction held for the whole export would stop the API
        await write(deps.database.db)
  const day = iso(run.job.createdAt).slice(0, 10)
  return {
    status: 'done',
    resultKey: key,
    result: {
      rows: counted.rows,
      size: put.size,
      sha256: put.sha256,
      filename: `tasklane-${format === 'csv' ? 'tasks' : 'export'}-${day}.${format}`,
    },
  }
}
