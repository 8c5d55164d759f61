import type { Database, SqlClient } from '../../src/db/client.ts'
import { migrateUp } from '../../src/db/migrate.ts'
import { hashPassword } from '../../src/modules/auth/passwords.ts'
import { BENCH_EMAIL_DOMAIN, BENCH_PASSWORD } from '../lib/db.ts'
import { SIZES, type Size } from '../lib/options.ts'
import { progress } from '../lib/progress.ts'
import { rng } from '../lib/rng.ts'
import { ACTIVITY_COLUMNS, COMMENT_COLUMNS, generateTasks, TASK_COLUMNS, TASK_TAG_COLUMNS } from './tasks.ts'
import { buildWorld } from './world.ts'
import { type Columns, insertAll, insertRows } from './write.ts'

const BATCH = 5_000
const DAY = 86_400_000

const WORLD_COLUMNS: Record<string, Columns> = {
  users: [
    ['id', 'uuid'],
    ['email', 'text'],
    ['name', 'text'],
    ['password_hash', 'text'],
    ['role', 'text'],
    ['disabled', 'bool'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  teams: [
    ['id', 'uuid'],
    ['name', 'text'],
    ['personal', 'bool'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  team_members: [
    ['team_id', 'uuid'],
    ['user_id', 'uuid'],
    ['role', 'text'],
    ['joined_at', 'timestamptz'],
  ],
  projects: [
    ['id', 'uuid'],
    ['team_id', 'uuid'],
    ['name', 'text'],
    ['description', 'text'],
    ['archived', 'bool'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  tags: [
    ['id', 'uuid'],
    ['team_id', 'uuid'],
    ['name', 'text'],
    ['color', 'text'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
}

const BULK_TABLES = ['tasks', 'task_tags', 'comments', 'activity']

/** The app's tables (whatever the migrations created), not the migrations' own bookkeeping. */
async function appTables(sql: SqlClient): Promise<string[]> {
  const { rows } = await sql.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = 'public' and tablename <> 'tasklane_migrations'`,
  )
  return rows.map((r) => r.tablename)
}

/** Secondary indexes of the bulk tables: dropped for a large load and rebuilt once at the end. */
async function secondaryIndexes(sql: SqlClient): Promise<{ name: string; def: string }[]> {
  const { rows } = await sql.query<{ name: string; def: string }>(
    `select i.indexname as name, i.indexdef as def
       from pg_indexes i
      where i.schemaname = 'public' and i.tablename = any($1::text[])
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [BULK_TABLES],
  )
  return rows
}

export interface SeedSummary {
  size: Size
  seed: number
  counts: Record<string, number>
  seconds: number
}

/**
 * Fills the database with a reproducible world of the given size: it empties the app's tables
 * first, so it refuses a database holding users that are not the bench's own (unless forced).
 */
export async function seedDatabase(database: Database, size: Size, seed: number, force = false): Promise<SeedSummary> {
  const started = Date.now()
  const { sql } = database
  await migrateUp(database)
  const { rows: foreign } = await sql.query<{ n: number }>(
    `select count(*)::int as n from users where email not like $1`,
    [`%@${BENCH_EMAIL_DOMAIN}`],
  )
  if (foreign[0]!.n > 0 && !force) {
    throw new Error(
      `the database has ${foreign[0]!.n} users that are not bench users: use a bench database (or --force)`,
    )
  }
  const tables = await appTables(sql)
  await sql.exec(`truncate ${tables.map((t) => `"${t}"`).join(', ')} restart identity cascade`)

  const { tasks: taskCount, users: userCount } = SIZES[size]
  const r = rng(seed)
  // anchored to today (UTC) so due dates and "overdue" stay realistic and a rerun the same day matches
  const now = Math.floor(Date.now() / DAY) * DAY
  const world = buildWorld(r, { users: userCount, now, passwordHash: await hashPassword(BENCH_PASSWORD) })

  for (const [table, rows] of Object.entries(world.rows)) {
    const bar = progress(table, rows.length)
    await insertAll(sql, table, WORLD_COLUMNS[table]!, rows, BATCH, (n) => bar.tick(n))
    bar.end()
  }

  const dropIndexes = database.kind === 'postgres' && taskCount >= 100_000
  const indexes = dropIndexes ? await secondaryIndexes(sql) : []
  for (const { name } of indexes) await sql.exec(`drop index "${name}"`)

  const counts: Record<string, number> = Object.fromEntries(
    Object.entries(world.rows).map(([t, rows]) => [t, rows.length]),
  )
  const bar = progress('tasks', taskCount)
  for (const chunk of generateTasks(r, world, taskCount, now, BATCH)) {
    await insertRows(sql, 'tasks', TASK_COLUMNS, chunk.tasks)
    await insertRows(sql, 'task_tags', TASK_TAG_COLUMNS, chunk.taskTags)
    await insertRows(sql, 'comments', COMMENT_COLUMNS, chunk.comments)
    if (tables.includes('activity')) await insertRows(sql, 'activity', ACTIVITY_COLUMNS, chunk.activity)
    counts.tasks = (counts.tasks ?? 0) + chunk.tasks.length
    counts.task_tags = (counts.task_tags ?? 0) + chunk.taskTags.length
    counts.comments = (counts.comments ?? 0) + chunk.comments.length
    bar.tick(chunk.tasks.length)
  }
  bar.end()

  if (indexes.length) {
    const ibar = progress('indexes', indexes.length)
    if (database.kind === 'postgres') await sql.exec(`set maintenance_work_mem = '256MB'`)
    for (const { def } of indexes) {
      await sql.exec(def)
      ibar.tick(1)
    }
    ibar.end()
  }
  // statistics for the planner and a visibility map for index-only scans, as a settled database has
  await sql.exec('vacuum analyze')
  return { size, seed, counts, seconds: (Date.now() - started) / 1000 }
}
