import pg from 'pg'
import type { Database } from '../src/db/client.ts'

/**
 * On real PostgreSQL: runs `statements` in a transaction on a connection of its own, starts
 * `request` while that transaction is open and, once the request waits for a lock it holds, runs
 * `whileWaiting` in it (what that transaction goes on to do: locks the request may hold by then)
 * and commits it. Returns the request's answer: what a client gets when the rows it names change
 * (or go) under it, at the worst moment.
 */
export async function commitWhileWaiting<T>(
  database: Database,
  statements: [text: string, params?: unknown[]][],
  request: () => Promise<T>,
  whileWaiting: [text: string, params?: unknown[]][] = [],
): Promise<T> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await client.query('begin')
    for (const [text, params] of statements) await client.query(text, params)
    let settled = false
    const answer = request().finally(() => {
      settled = true
    })
    const deadline = Date.now() + 5_000
    while (!settled && Date.now() < deadline && !(await waitingForLock(database))) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    if (settled) throw new Error('the request never waited for the open transaction: the race was not reproduced')
    for (const [text, params] of whileWaiting) await client.query(text, params)
    await client.query('commit')
    return await answer
  } finally {
    await client.end()
  }
}

async function waitingForLock(database: Database): Promise<boolean> {
  const { rows } = await database.sql.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  )
  return rows[0]!.n > 0
}

/**
 * `commitWhileWaiting` for a row a concurrent transaction deletes, as the API's deletes do: it locks
 * the row, removes it (its cascades included) and commits while `request` waits for it.
 */
export const deletedDuring = <T>(database: Database, table: string, id: string, request: () => Promise<T>) =>
  commitWhileWaiting(
    database,
    [
      [`select id from ${table} where id = $1 for update`, [id]],
      [`delete from ${table} where id = $1`, [id]],
    ],
    request,
  )
