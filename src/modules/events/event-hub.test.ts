import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { freshDatabase } from '../../../test/db.ts'
import { given } from '../../../test/given.ts'
import { openSse } from '../../../test/sse.ts'
import type { Database, Db } from '../../db/client.ts'
import { scopesForRole } from '../../http/auth.ts'
import { createLogger } from '../../logger.ts'
import { createEventHub, MAX_BUFFERED_BYTES } from './event-hub.ts'

/**
 * A stand-in for an SSE response: it keeps what is written, and `stalled` reports all of it as
 * still buffered (a client that never reads), otherwise nothing.
 */
function fakeResponse(stalled: boolean) {
  const res = new EventEmitter() as EventEmitter & { chunks: string[]; buffered: number; destroyed: boolean }
  const close = () => {
    res.destroyed = true
    res.emit('close')
  }
  Object.defineProperty(res, 'writableLength', { get: () => (stalled ? res.buffered : 0) })
  return Object.assign(res, {
    chunks: [] as string[],
    buffered: 0,
    destroyed: false,
    write(chunk: string) {
      res.chunks.push(chunk)
      res.buffered += Buffer.byteLength(chunk)
      return !stalled
    },
    end: close,
    destroy: close,
  })
}

/** The database with `onSelect` run once a select's rows have arrived, before its caller gets them. */
function withHookAfterSelect(database: Database, onSelect: () => Promise<void>): Database {
  const wrap = (builder: object): object =>
    new Proxy(builder, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver)
        if (key === 'then') {
          return (ok: (v: unknown) => unknown, fail: (e: unknown) => unknown) =>
            (target as PromiseLike<unknown>)
              .then(async (rows) => {
                await onSelect()
                return rows
              })
              .then(ok, fail)
        }
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          const next = value.apply(target, args)
          return next && typeof next === 'object' ? wrap(next) : next
        }
      },
    })
  const db = new Proxy(database.db, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      return key === 'select' ? (...args: unknown[]) => wrap(value.apply(target, args)) : value
    },
  }) as Db
  return Object.assign(Object.create(database) as Database, { db })
}

let database: Database
let a: TestApp
let b: TestApp
beforeAll(async () => {
  database = await freshDatabase()
  a = await createTestApp({ database })
  b = await createTestApp({ database })
})
afterAll(async () => {
  await a?.close()
  await b?.close()
  await database?.close()
})

describe('the event hub', () => {
  it('closes the stream of a client that stops reading, instead of buffering without bound', async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const hub = createEventHub({ database, states: a.app.identity.states, log: createLogger({ LOG_LEVEL: 'silent' }) })
    const res = fakeResponse(true)
    await hub.open({ userId: owner.id, scopes: scopesForRole('user') }, res as unknown as ServerResponse, 0)
    // each project's entries are a few hundred bytes: enough of them overflow the buffer
    const n = Math.ceil(MAX_BUFFERED_BYTES / 300) + 50
    await database.sql.query(
      `insert into activity (actor_id, action, entity_type, entity_id, team_id, changes)
       select $1, 'project.updated', 'project', $2, $2, jsonb_build_object('name', jsonb_build_object('from', repeat('x', 100), 'to', repeat('y', 100)))
       from generate_series(1, $3)`,
      [owner.id, team.id, n],
    )
    await database.sql.query(`select pg_notify('tasklane_activity', '')`)
    await hub.follower.settle(1_000)
    for (let i = 0; i < 100 && !res.destroyed; i++) await new Promise((r) => setTimeout(r, 50))
    expect(res.destroyed).toBe(true)
    expect(res.buffered).toBeLessThan(MAX_BUFFERED_BYTES + 64 * 1024)
    expect(hub.size).toBe(0)
    await hub.close()
  })

  it('never skips an entry the mark passed while a read was running', async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const insert = async () => {
      const { rows } = await database.sql.query<{ id: string }>(
        `insert into activity (actor_id, action, entity_type, entity_id, team_id) values ($1, 'team.updated', 'team', $2, $2) returning id::text`,
        [owner.id, team.id],
      )
      return rows[0]!.id
    }
    let hub: ReturnType<typeof createEventHub> | undefined
    let armed = false
    let late = ''
    // while the stream reads the first entry, a second one commits and the mark moves past it
    const hooked = withHookAfterSelect(database, async () => {
      if (!armed) return
      armed = false
      late = await insert()
      await hub!.follower.advance()
    })
    hub = createEventHub({
      database: hooked,
      states: a.app.identity.states,
      log: createLogger({ LOG_LEVEL: 'silent' }),
    })
    const res = fakeResponse(false)
    await hub.open({ userId: owner.id, scopes: scopesForRole('user') }, res as unknown as ServerResponse)
    try {
      armed = true
      const first = await insert()
      await database.sql.query(`select pg_notify('tasklane_activity', '')`)
      const sent = (id: string) => res.chunks.some((c) => c.startsWith(`id: ${id}\n`))
      // the late entry sends no notification: the hub's periodic wake (2 s) must still deliver it
      for (let i = 0; i < 100 && !(late && sent(late)); i++) await new Promise((r) => setTimeout(r, 50))
      expect(late).not.toBe('')
      expect(sent(first)).toBe(true)
      expect(sent(late)).toBe(true)
    } finally {
      await hub.close()
    }
  })

  it('starts for the next client when its first start failed (the database was away)', async () => {
    const owner = await given.user(a.app)
    let away = true
    const flaky = Object.assign(Object.create(database) as Database, {
      sql: {
        ...database.sql,
        query: async (text: string, params?: unknown[]) => {
          if (away) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
          return database.sql.query(text, params)
        },
      },
    })
    const hub = createEventHub({
      database: flaky,
      states: a.app.identity.states,
      log: createLogger({ LOG_LEVEL: 'silent' }),
    })
    try {
      const actor = { userId: owner.id, role: 'user' as const, scopes: scopesForRole('user') }
      await expect(hub.open(actor, fakeResponse(false) as unknown as ServerResponse)).rejects.toThrow('ECONNREFUSED')
      away = false
      const res = fakeResponse(false)
      await hub.open(actor, res as unknown as ServerResponse)
      expect(hub.size).toBe(1)
      expect(res.chunks[0]).toBe(': connected\n\n')
    } finally {
      await hub.close()
    }
  })

  it('delivers to a client on instance A a change made through instance B', async () => {
    const owner = await given.user(a.app)
    const team = await given.team(a.app, owner)
    const base = await a.app.listen({ port: 0, host: '127.0.0.1' })
    const sse = await openSse(`${base}/api/v1/events`, owner.auth)
    try {
      expect(sse.status).toBe(200)
      const project = await given.project(b.app, team, owner, { name: 'From B' })
      let e = await sse.next()
      while (e.data.entityId !== project.id) e = await sse.next()
      expect(e.event).toBe('project.created')
    } finally {
      sse.close()
    }
  })

  it('ends open streams when the instance shuts down, so clients reconnect elsewhere', async () => {
    const c = await createTestApp({ database })
    const owner = await given.user(c.app)
    const base = await c.app.listen({ port: 0, host: '127.0.0.1' })
    const sse = await openSse(`${base}/api/v1/events`, owner.auth)
    expect(sse.status).toBe(200)
    const started = Date.now()
    await c.close()
    await sse.closed
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})
