import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { testDatabaseUrl } from '../../test/db.ts'
import { ResilientPool } from './pool.ts'

const url = testDatabaseUrl()
const pools: pg.Pool[] = []
afterEach(async () => {
  for (const p of pools.splice(0)) await p.end()
})

/** A one-client pool whose next checkout has its connection cut right away (a restart's doing). */
function poolCutOnNextCheckout() {
  const pool = new ResilientPool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 })
  pools.push(pool)
  let cut = true
  pool.on('acquire', (client) => {
    if (!cut) return
    cut = false
    ;(client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
  })
  return pool
}

describe.skipIf(!url)('the PostgreSQL pool when a connection drops', () => {
  it('gives the client back when a transaction fails at BEGIN, so the next one gets a connection', async () => {
    const db = drizzle(poolCutOnNextCheckout())
    await expect(db.transaction(async (tx) => tx.execute(sql`select 1`))).rejects.toThrow()
    const rows = await db.transaction(async (tx) => (await tx.execute(sql`select 1 as one`)).rows)
    expect(rows).toEqual([{ one: 1 }])
  })

  it('fails the pending query of a checked-out client instead of throwing an uncaught error', async () => {
    const pool = poolCutOnNextCheckout()
    const client = await pool.connect()
    await expect(client.query('select 1')).rejects.toThrow()
    client.release()
    expect((await pool.query('select 2 as two')).rows).toEqual([{ two: 2 }])
  })
})
