import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/app.ts'
import { freshDatabase } from '../../../test/db.ts'
import { givenUser } from '../../../test/given.ts'
import { givenProject, givenTeam } from '../../../test/given-teams.ts'
import { openSse } from '../../../test/sse.ts'
import type { Database } from '../../db/client.ts'
import { createLogger } from '../../logger.ts'
import { createEventHub, MAX_BUFFERED_BYTES } from './event-hub.ts'

/** A response whose client never reads: everything written stays buffered. */
function stalledResponse() {
  const res = new EventEmitter() as EventEmitter & { buffered: number; destroyed: boolean }
  res.buffered = 0
  res.destroyed = false
  Object.defineProperty(res, 'writableLength', { get: () => res.buffered })
  return Object.assign(res, {
    write(chunk: string) {
      res.buffered += Buffer.byteLength(chunk)
      return false
    },
    end() {
      res.destroyed = true
      res.emit('close')
    },
    destroy() {
      res.destroyed = true
      res.emit('close')
    },
  })
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
    const owner = await givenUser(a.app)
    const team = await givenTeam(a.app, owner)
    const hub = createEventHub({ database, states: a.app.identity.states, log: createLogger({ LOG_LEVEL: 'silent' }) })
    const res = stalledResponse()
    await hub.open({ userId: owner.id, role: 'user' }, res as unknown as ServerResponse, 0)
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

  it('delivers to a client on instance A a change made through instance B', async () => {
    const owner = await givenUser(a.app)
    const team = await givenTeam(a.app, owner)
    const base = await a.app.listen({ port: 0, host: '127.0.0.1' })
    const sse = await openSse(`${base}/api/v1/events`, owner.auth)
    try {
      expect(sse.status).toBe(200)
      const project = await givenProject(b.app, team, owner, { name: 'From B' })
      let e = await sse.next()
      while (e.data.entityId !== project.id) e = await sse.next()
      expect(e.event).toBe('project.created')
    } finally {
      sse.close()
    }
  })

  it('ends open streams when the instance shuts down, so clients reconnect elsewhere', async () => {
    const c = await createTestApp({ database })
    const owner = await givenUser(c.app)
    const base = await c.app.listen({ port: 0, host: '127.0.0.1' })
    const sse = await openSse(`${base}/api/v1/events`, owner.auth)
    expect(sse.status).toBe(200)
    const started = Date.now()
    await c.close()
    await sse.closed
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})
