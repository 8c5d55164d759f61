import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import type { Database, Db } from './client.ts'

const MIGRATIONS_DIR = new URL('../../drizzle/', import.meta.url)
// any constant shared by every instance: serialises concurrent migrators on one PostgreSQL
const LOCK_KEY = 727_274_001

export interface Migration {
  tag: string
  up: string
  down: string | null
  hash: string
}

export interface MigrationStatus {
  tag: string
  state: 'applied' | 'pending' | 'modified'
  appliedAt: Date | null
}

/** The migrations drizzle-kit generated, in order, each with its reviewed `.down.sql` when present. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const text = await readFile(new URL('meta/_journal.json', dir), 'utf8').catch(() => '{"entries":[]}')
  const journal = JSON.parse(text) as { entries: { idx: number; tag: string }[] }
  const entries = [...journal.entries].sort((a, b) => a.idx - b.idx)
  return Promise.all(
    entries.map(async ({ tag }) => {
      const up = await readFile(new URL(`${tag}.sql`, dir), 'utf8')
      const down = await readFile(new URL(`${tag}.down.sql`, dir), 'utf8').catch(() => null)
      return { tag, up, down, hash: createHash('sha256').update(up).digest('hex') }
    }),
  )
}

const statements = (text: string) =>
  text
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter(Boolean)

async function ensureTable(tx: Db) {
  await tx.execute(sql`create table if not exists tasklane_migrations (
    tag text primary key,
    hash text not null,
    applied_at timestamptz not null default now()
  )`)
}

async function applied(tx: Db): Promise<Map<string, { hash: string; appliedAt: Date }>> {
  const { rows } = (await tx.execute(sql`select tag, hash, applied_at from tasklane_migrations`)) as unknown as {
    rows: { tag: string; hash: string; applied_at: string | Date }[]
  }
  return new Map(rows.map((r) => [r.tag, { hash: r.hash, appliedAt: new Date(r.applied_at) }]))
}

/** Every step runs inside one transaction holding an advisory lock, so two instances starting together migrate once. */
async function locked<T>(database: Database, fn: (tx: Db) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`)
    await ensureTable(tx)
    return fn(tx)
  })
}

/**
 * Whether every migration is already applied, read without a transaction or the lock: the usual
 * restart then costs one select. A table not there yet, or anything missing, says no (the locked path decides).
 */
async function allApplied(database: Database, all: Migration[]): Promise<boolean> {
  return (await pendingTags(database, all)).length === 0
}

export interface AwaitMigrationsOptions {
  /** told once when it starts waiting, with the tags pending */
  onWait?: (pending: string[]) => void
  timeoutMs?: number
  pollMs?: number
  migrations?: Migration[]
}

/**
 * For a process started with MIGRATE_ON_START=false: resolves once every migration this code knows
 * is applied (by another instance, or by `tasklane migrate`), polling without the lock. A worker and
 * an API instance started together would otherwise read tables that the API is still creating.
 * Throws, naming what is pending, when `timeoutMs` passes first.
 */
export async function awaitMigrations(database: Database, options: AwaitMigrationsOptions = {}): Promise<void> {
  const { onWait, timeoutMs = 10 * 60_000, pollMs = 500 } = options
  const all = options.migrations ?? (await loadMigrations())
  const until = Date.now() + timeoutMs
  let told = false
  for (;;) {
    const pending = await pendingTags(database, all)
    if (pending.length === 0) return
    if (Date.now() >= until) {
      throw new Error(
        `${pending.length} migration(s) still pending after ${timeoutMs / 1000} s (${pending.join(', ')}): ` +
          'run `tasklane migrate`, or start one instance with MIGRATE_ON_START=true',
      )
    }
    if (!told) onWait?.(pending)
    told = true
    await new Promise((r) => setTimeout(r, pollMs))
  }
}

/** The log line a process waiting for migrations writes once. */
export const waitingFor = (logger: { info(obj: object, msg: string): void }) => (pending: string[]) =>
  logger.info(
    { pending },
    `waiting for ${pending.length} migration(s): MIGRATE_ON_START=false, another instance applies them`,
  )

async function pendingTags(database: Database, all: Migration[]): Promise<string[]> {
  const { rows } = await database.sql
    .query<{ tag: string }>('select tag from tasklane_migrations')
    .catch(() => ({ rows: [] as { tag: string }[] }))
  const done = new Set(rows.map((r) => r.tag))
  return all.filter((m) => !done.has(m.tag)).map((m) => m.tag)
}

/** Applies every pending migration in order; returns the tags applied. */
export async function migrateUp(database: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations())
  if (await allApplied(database, all)) return []
  return locked(database, async (tx) => {
    const done = await applied(tx)
    const pending = all.filter((m) => !done.has(m.tag))
    for (const m of pending) {
      for (const stmt of statements(m.up)) await tx.execute(sql.raw(stmt))
      await tx.execute(sql`insert into tasklane_migrations (tag, hash) values (${m.tag}, ${m.hash})`)
    }
    return pending.map((m) => m.tag)
  })
}

/** Rolls back the last applied migration with its `.down.sql`; returns its tag, or null when none is applied. */
export async function migrateDown(database: Database, migrations?: Migration[]): Promise<string | null> {
  const all = migrations ?? (await loadMigrations())
  return locked(database, async (tx) => {
    const done = await applied(tx)
    const last = [...all].reverse().find((m) => done.has(m.tag))
    if (!last) return null
    if (last.down === null) throw new Error(`migration ${last.tag} has no ${last.tag}.down.sql`)
    for (const stmt of statements(last.down)) await tx.execute(sql.raw(stmt))
    await tx.execute(sql`delete from tasklane_migrations where tag = ${last.tag}`)
    return last.tag
  })
}

export async function migrationStatus(database: Database, migrations?: Migration[]): Promise<MigrationStatus[]> {
  const all = migrations ?? (await loadMigrations())
  return locked(database, async (tx) => {
    const done = await applied(tx)
    return all.map((m) => {
      const row = done.get(m.tag)
      if (!row) return { tag: m.tag, state: 'pending' as const, appliedAt: null }
      return {
        tag: m.tag,
        state: row.hash === m.hash ? ('applied' as const) : ('modified' as const),
        appliedAt: row.appliedAt,
      }
    })
  })
}
