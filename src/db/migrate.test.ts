import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { freshDatabase } from '../../test/db.ts'
import type { Database } from './client.ts'
import { awaitMigrations, loadMigrations, migrateDown, migrateUp, migrationStatus } from './migrate.ts'

interface Spec {
  tag: string
  up: string[]
  down?: string[]
}

const BREAK = '\n--> statement-breakpoint\n'

/** A migrations folder as drizzle-kit writes it; the journal lists entries out of order, as `idx` decides. */
function migrationsFolder(specs: Spec[]): URL {
  const dir = mkdtempSync(join(tmpdir(), 'tasklane-migrations-'))
  mkdirSync(join(dir, 'meta'))
  const entries = specs.map(({ tag }, idx) => ({ idx, version: '7', when: idx, tag, breakpoints: true }))
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', entries: entries.reverse() }))
  for (const { tag, up, down } of specs) {
    writeFileSync(join(dir, `${tag}.sql`), up.join(BREAK))
    if (down) writeFileSync(join(dir, `${tag}.down.sql`), down.join(BREAK))
  }
  return pathToFileURL(`${dir}/`)
}

/** Two migrations on tables of their own: the second needs the first (it alters its table). */
function widgetMigrations() {
  const id = randomBytes(4).toString('hex')
  const table = `mt_widgets_${id}`
  const specs: Spec[] = [
    {
      tag: `9000_widgets_${id}`,
      up: [`create table ${table} (id integer primary key)`, `create index ${table}_id on ${table} (id)`],
      down: [`drop table ${table}`],
    },
    {
      tag: `9001_widget_names_${id}`,
      up: [`alter table ${table} add column name text not null default ''`],
      down: [`alter table ${table} drop column name`],
    },
  ]
  return { table, specs, tags: specs.map((s) => s.tag), folder: migrationsFolder(specs) }
}

const opened: Database[] = []
async function database() {
  const db = await freshDatabase()
  opened.push(db)
  return db
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()))
})

const tableExists = async (db: Database, table: string) => {
  const { rows } = await db.sql.query<{ t: string | null }>('select to_regclass($1)::text as t', [`public.${table}`])
  return rows[0]?.t != null
}
const columns = async (db: Database, table: string) => {
  const { rows } = await db.sql.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
    [table],
  )
  return rows.map((r) => r.column_name)
}

describe('migrateUp', () => {
  it('applies pending migrations in journal order, then has nothing left to apply', async () => {
    const db = await database()
    const { table, tags, folder } = widgetMigrations()
    const migrations = await loadMigrations(folder)
    expect(migrations.map((m) => m.tag)).toEqual(tags)

    expect(await migrateUp(db, migrations)).toEqual(tags)
    expect(await columns(db, table)).toEqual(['id', 'name'])
    expect(await migrateUp(db, migrations)).toEqual([])
    expect(await columns(db, table)).toEqual(['id', 'name'])
  })

  it('finds nothing pending with one select, without a transaction or the lock (a restart)', async () => {
    const db = await database()
    const migrations = await loadMigrations(widgetMigrations().folder)
    await migrateUp(db, migrations)
    const ran: string[] = []
    const watched: Database = {
      ...db,
      db: new Proxy(db.db, {
        get: (t, k) => (k === 'transaction' ? () => ran.push('transaction') : Reflect.get(t, k)),
      }),
      sql: {
        ...db.sql,
        query: (text, params) => {
          ran.push(text)
          return db.sql.query(text, params)
        },
      },
    }
    expect(await migrateUp(watched, migrations)).toEqual([])
    expect(ran).toEqual(['select tag from tasklane_migrations'])
  })

  it('applies nothing when one pending migration fails: the run is one transaction', async () => {
    const db = await database()
    const { table, specs } = widgetMigrations()
    const broken = `${specs[1]!.tag}_broken`
    const folder = migrationsFolder([
      ...specs,
      { tag: broken, up: [`create table ${table}_extra (id integer)`, 'select * from mt_no_such_table'], down: [] },
    ])
    const migrations = await loadMigrations(folder)

    await expect(migrateUp(db, migrations)).rejects.toThrow()
    expect((await migrationStatus(db, migrations)).map((m) => m.state)).toEqual(['pending', 'pending', 'pending'])
    expect(await tableExists(db, table)).toBe(false)
    expect(await tableExists(db, `${table}_extra`)).toBe(false)
  })
})

describe('migrationStatus', () => {
  it('shows applied, pending and modified migrations', async () => {
    const db = await database()
    const { specs, folder } = widgetMigrations()
    const migrations = await loadMigrations(folder)
    expect(await migrationStatus(db, migrations)).toEqual([
      { tag: specs[0]!.tag, state: 'pending', appliedAt: null },
      { tag: specs[1]!.tag, state: 'pending', appliedAt: null },
    ])

    await migrateUp(db, migrations.slice(0, 1))
    const [first, second] = await migrationStatus(db, migrations)
    expect(first).toEqual({ tag: specs[0]!.tag, state: 'applied', appliedAt: expect.any(Date) })
    expect(second).toEqual({ tag: specs[1]!.tag, state: 'pending', appliedAt: null })

    // an applied migration whose SQL changed afterwards (merged migrations are frozen)
    const edited = migrationsFolder([{ ...specs[0]!, up: [...specs[0]!.up, 'select 1'] }, specs[1]!])
    expect((await migrationStatus(db, await loadMigrations(edited))).map((m) => m.state)).toEqual([
      'modified',
      'pending',
    ])
  })
})

describe('migrateDown', () => {
  it('rolls back only the last applied migration with its down SQL', async () => {
    const db = await database()
    const { table, specs, folder } = widgetMigrations()
    const migrations = await loadMigrations(folder)
    await migrateUp(db, migrations)

    expect(await migrateDown(db, migrations)).toBe(specs[1]!.tag)
    expect(await columns(db, table)).toEqual(['id'])
    expect((await migrationStatus(db, migrations)).map((m) => m.state)).toEqual(['applied', 'pending'])

    expect(await migrateDown(db, migrations)).toBe(specs[0]!.tag)
    expect(await tableExists(db, table)).toBe(false)
    expect(await migrateDown(db, migrations)).toBeNull()

    expect(await migrateUp(db, migrations)).toEqual(specs.map((s) => s.tag))
    expect(await columns(db, table)).toEqual(['id', 'name'])
  })

  it('refuses a migration without a down file and leaves it applied', async () => {
    const db = await database()
    const { table, specs } = widgetMigrations()
    const migrations = await loadMigrations(migrationsFolder([{ ...specs[0]!, down: undefined }]))
    await migrateUp(db, migrations)

    await expect(migrateDown(db, migrations)).rejects.toThrow(
      `migration ${specs[0]!.tag} has no ${specs[0]!.tag}.down.sql`,
    )
    expect((await migrationStatus(db, migrations)).map((m) => m.state)).toEqual(['applied'])
    expect(await tableExists(db, table)).toBe(true)
  })
})

// every table, index, sequence, view and enum the migrations made, besides the migrator's own table
async function schemaObjects(db: Database): Promise<string[]> {
  const { rows } = await db.sql.query<{ name: string }>(
    `select c.relkind::text || ' ' || c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname not like 'tasklane_migrations%'
     union all
     select 'enum ' || t.typname
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' and t.typtype = 'e'
     order by 1`,
  )
  return rows.map((r) => r.name)
}

describe('the project migrations', () => {
  it('each have a reviewed down file', async () => {
    for (const m of await loadMigrations()) expect(m.down, `drizzle/${m.tag}.down.sql`).not.toBeNull()
  })

  it('roll all the way down to an empty schema and back up to the same one', async () => {
    const db = await database()
    const migrations = await loadMigrations()
    const migrated = await schemaObjects(db)
    expect(migrated.length > 0).toBe(migrations.length > 0)

    const rolledBack: string[] = []
    for (let tag = await migrateDown(db); tag; tag = await migrateDown(db)) rolledBack.push(tag)
    expect(rolledBack).toEqual(migrations.map((m) => m.tag).reverse())
    expect(await schemaObjects(db)).toEqual([])

    expect(await migrateUp(db)).toEqual(migrations.map((m) => m.tag))
    expect(await schemaObjects(db)).toEqual(migrated)
  })
})

describe('awaitMigrations (MIGRATE_ON_START=false)', () => {
  it('waits, telling once what is pending, until another migrator has applied everything', async () => {
    const db = await database()
    const { tags, folder } = widgetMigrations()
    const migrations = await loadMigrations(folder)
    const told: string[][] = []
    let done = false
    const waiting = awaitMigrations(db, { migrations, pollMs: 20, onWait: (p) => told.push(p) }).then(() => {
      done = true
    })
    await new Promise((r) => setTimeout(r, 200))
    expect(done).toBe(false)
    expect(told).toEqual([tags])

    await migrateUp(db, migrations)
    await waiting
    expect(told).toHaveLength(1)
  })

  it('resolves at once when nothing is pending, and gives up naming what is after its timeout', async () => {
    const db = await database()
    const applied = await loadMigrations(widgetMigrations().folder)
    await migrateUp(db, applied)
    const told: string[][] = []
    await awaitMigrations(db, { migrations: applied, onWait: (p) => told.push(p) })
    expect(told).toEqual([])

    const { tags, folder } = widgetMigrations()
    await expect(
      awaitMigrations(db, { migrations: await loadMigrations(folder), timeoutMs: 100, pollMs: 20 }),
    ).rejects.toThrow(`2 migration(s) still pending after 0.1 s (${tags.join(', ')})`)
  })
})
