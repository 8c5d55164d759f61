import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { testDatabaseUrl } from '../../test/db.ts'
import { type Database, openDb } from './client.ts'

const url = testDatabaseUrl()
const opened: Database[] = []
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close()
})

// issue 15 item 1: a dropped LISTEN connection (a database restart's doing) must neither end the
// process nor leave the log's followers deaf; PGlite listens in the process, nothing to drop
describe.skipIf(!url)('LISTEN on PostgreSQL when its connection drops', () => {
  it('reports the error, listens again on a new connection, calls the handler once, and hears NOTIFY again', async () => {
    const errors: Error[] = []
    const database = await openDb({ url: url!, poolSize: 2, onError: (err) => errors.push(err) })
    opened.push(database)
    const channel = `listen_test_${randomBytes(4).toString('hex')}`
    let calls = 0
    const unlisten = await database.listen(channel, () => calls++)
    const listening = async () =>
      (
        await database.sql.query<{ pid: number }>(
          `select pid from pg_stat_activity where query = $1 and state = 'idle'`,
          [`LISTEN "${channel}"`],
        )
      ).rows.map((r) => r.pid)
    // connected: called once, as after every (re)connect
    await vi.waitFor(async () => expect(await listening()).toHaveLength(1), { timeout: 20_000 })
    await vi.waitFor(() => expect(calls).toBe(1))
    const [first] = await listening()
    await database.sql.exec(`notify ${channel}`)
    await vi.waitFor(() => expect(calls).toBe(2))

    await database.sql.query('select pg_terminate_backend($1)', [first])
    // a new connection listens, and the handler is called for what was missed meanwhile
    await vi.waitFor(
      async () => {
        const now = await listening()
        expect(now).toHaveLength(1)
        expect(now).not.toContain(first)
      },
      { timeout: 20_000, interval: 100 },
    )
    await vi.waitFor(() => expect(calls).toBe(3))
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/terminat/))
    await database.sql.exec(`notify ${channel}`)
    await vi.waitFor(() => expect(calls).toBe(4))

    // unlisten ends the connection for good: no reconnect after it
    await unlisten()
    await new Promise((r) => setTimeout(r, 500))
    expect(await listening()).toEqual([])
  })
})
