import { describe, expect, it } from 'vitest'
import type { Database, Db } from './client.ts'
import { createReads } from './replica.ts'

// a stand-in database: its Drizzle handle is a name, its one raw query answers what the test says
function fakeDb(name: string, answer: (text: string) => Record<string, unknown>[] | Error = () => []) {
  const queries: string[] = []
  const database = {
    db: name as unknown as Db,
    kind: 'postgres',
    sql: {
      query: async (text: string) => {
        queries.push(text)
        const rows = answer(text)
        if (rows instanceof Error) throw rows
        return { rows }
      },
      exec: async () => {},
    },
  } as unknown as Database
  return { database, queries }
}

const primaryAt = (id: number) => fakeDb('primary', () => [{ id: String(id), final: true, lsn: '0/10' }])
const where = (db: Db) => Promise.resolve(db as unknown as string)
const warnings: unknown[] = []
const log = { warn: (obj: object) => void warnings.push(obj) }

describe('heavy reads', () => {
  it('run on the primary, with no further query, when no replica is configured', async () => {
    const primary = primaryAt(7)
    const reads = createReads({ primary: primary.database, log })
    expect(await reads.read('team', where)).toBe('primary')
    expect(primary.queries).toEqual([])
    expect(await reads.position('team')).toEqual({ activityId: 7, final: true })
  })

  it('run on the replica once it has caught up with the primary, on the primary while it lags', async () => {
    let caughtUp = false
    const replica = fakeDb('replica', () => [{ caught_up: caughtUp }])
    const reads = createReads({ primary: primaryAt(7).database, replica: replica.database, log })
    expect(await reads.position('team')).toEqual({ activityId: 7, final: true, lsn: '0/10' })
    expect(await reads.read('team', where)).toBe('primary')
    caughtUp = true
    expect(await reads.read('team', where)).toBe('replica')
    expect(reads.stats).toMatchObject({ replica: 1, behind: 1, error: 0 })
  })

  it('wait a few milliseconds for a replica about to catch up, not longer', async () => {
    let asked = 0
    const replica = fakeDb('replica', () => [{ caught_up: ++asked >= 3 }])
    const reads = createReads({ primary: primaryAt(7).database, replica: replica.database, log, waitMs: 20 })
    expect(await reads.read('team', where)).toBe('replica')
    expect(asked).toBe(3)
    const lagging = createReads({
      primary: primaryAt(7).database,
      replica: fakeDb('replica').database,
      log,
      waitMs: 20,
    })
    const started = Date.now()
    expect(await lagging.read('team', where)).toBe('primary')
    expect(Date.now() - started).toBeLessThan(200)
  })

  it('fall back to the primary when the replica fails, rest it a while, then try it again', async () => {
    let failing = true
    const replica = fakeDb('replica', () => (failing ? new Error('connection refused') : [{ caught_up: true }]))
    const reads = createReads({ primary: primaryAt(7).database, replica: replica.database, log, retryAfterMs: 50 })
    warnings.length = 0
    expect(await reads.read('team', where)).toBe('primary')
    expect(warnings).toHaveLength(1)
    // resting: not even asked
    expect(await reads.read('team', where)).toBe('primary')
    expect(replica.queries).toHaveLength(1)
    failing = false
    await new Promise((r) => setTimeout(r, 60))
    expect(await reads.read('team', where)).toBe('replica')
    expect(reads.stats).toMatchObject({ replica: 1, error: 1, down: 1 })
  })

  it('count a read that fails on the replica as the replica’s failure and answer from the primary', async () => {
    const replica = fakeDb('replica', () => [{ caught_up: true }])
    const reads = createReads({ primary: primaryAt(7).database, replica: replica.database, log })
    const answer = await reads.read('team', async (db) => {
      if (db === replica.database.db) throw new Error('canceling statement due to conflict with recovery')
      return 'primary'
    })
    expect(answer).toBe('primary')
    expect(reads.stats).toMatchObject({ replica: 0, error: 1 })
  })

  it('let an error of the primary through: it is not the replica’s, and nothing else could answer', async () => {
    const replica = fakeDb('replica', () => [{ caught_up: false }])
    const reads = createReads({ primary: primaryAt(7).database, replica: replica.database, log })
    await expect(reads.read('team', () => Promise.reject(new Error('primary down')))).rejects.toThrow('primary down')
    expect(reads.stats).toMatchObject({ behind: 1, error: 0 })
  })
})
