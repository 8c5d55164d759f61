import { eq, sql } from 'drizzle-orm'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'
import { createQueue, type JobDefinition } from '../infra/queue.ts'
import { newId } from '../lib/ids.ts'
import { serializeError } from '../logger.ts'
import { users } from './tables/users.ts'

// the most verbose level: whatever any layer logs about a failed statement, its parameters stay out
const t = useTestApp({ env: { LOG_LEVEL: 'trace', WEBHOOK_ALLOW_PRIVATE: 'true' } })

/** Makes every new row of a table fail a CHECK: a real failing insert, whose detail quotes the whole row. */
async function failingInserts(table: string, run: () => Promise<void>) {
  const constraint = `${table}_refused_for_test`
  await t.database.sql.query(`alter table ${table} add constraint ${constraint} check (false) not valid`)
  try {
    await run()
  } finally {
    await t.database.sql.query(`alter table ${table} drop constraint ${constraint}`)
  }
}

/** The log lines written while `run` ran, as text. */
async function logsOf(run: () => Promise<void>): Promise<string> {
  const before = t.logText().length
  await run()
  return t.logText().slice(before)
}

describe('a failed query in the logs', () => {
  it('never carries the webhook secret; it names the statement and the constraint', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const secret = 'whsec_do-not-log-this-0123456789abcdef'
    const logged = await logsOf(() =>
      failingInserts('webhooks', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/teams/${team.id}/webhooks`,
          headers: owner.auth,
          payload: { url: 'http://127.0.0.1:9/hook', events: ['*'], secret },
        })
        expect(res.statusCode).toBe(500)
      }),
    )
    expect(logged).toContain('request failed')
    expect(logged).not.toContain(secret)
    expect(logged).not.toContain('127.0.0.1:9/hook')
    const line = t.logs.findLast((l) => l.msg === 'request failed') as { err: Record<string, unknown> }
    expect(line.err).toMatchObject({
      statement: 'insert into webhooks',
      code: '23514',
      constraint: 'webhooks_refused_for_test',
      table: 'webhooks',
    })
    expect(line.err.params).toBeUndefined()
    expect(line.err.detail).toBeUndefined()
  })

  it('never carries the password hash of a failed registration, nor the email', async () => {
    const email = given.email('hashless')
    const logged = await logsOf(() =>
      failingInserts('users', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/register',
          payload: { email, password: 'a long enough passphrase 4Kq', name: 'Hashless' },
        })
        expect(res.statusCode).toBe(500)
      }),
    )
    expect(logged).toContain('request failed')
    expect(logged).toContain('users_refused_for_test')
    expect(logged).not.toContain('$argon2')
    expect(logged).not.toContain(email)
  })

  it("never carries a new token's hash", async () => {
    const user = await given.user(t.app)
    const logged = await logsOf(() =>
      failingInserts('api_tokens', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: user.auth,
          payload: { name: 'ci', scopes: ['tasks:read'] },
        })
        expect(res.statusCode).toBe(500)
      }),
    )
    expect(logged).toContain('api_tokens_refused_for_test')
    // the token's SHA-256, in hex: nothing else the app logs is 64 hex digits long
    expect(logged).not.toMatch(/[0-9a-f]{64}/)
    expect(logged).not.toContain('tl_pat_')
  })

  it('cuts a value the server quotes in its message, keeping the names it quotes', async () => {
    const err = await t.database.db
      .select()
      .from(users)
      .where(eq(users.id, 'secret-looking-value'))
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(Error)
    const serialized = JSON.stringify(serializeError(err))
    expect(serialized).not.toContain('secret-looking-value')
    expect(serialized).toContain('"statement":"from users"')
    expect(serialized).toContain('22P02')
    const unique = await t.database.db
      .insert(users)
      .values({
        id: newId(),
        email: (await given.user(t.app)).email,
        name: 'Twin',
        passwordHash: 'hash-that-must-not-show',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    const described = serializeError(unique) as Record<string, string>
    expect(JSON.stringify(described)).not.toContain('hash-that-must-not-show')
    expect(described.statement).toBe('insert into users')
    expect(described.constraint).toBe('users_email_key')
    expect(described.message).toContain('"users_email_key"')
  })
})

describe('a failed query in a background job', () => {
  it("is recorded in the job's row without its parameters", async () => {
    const secret = 'job-secret-never-stored-0123456789'
    const jobs: JobDefinition<{ value: string }>[] = [
      {
        name: 'test-failing-query',
        retryLimit: 0,
        handle: async ({ value }) => {
          await t.database.db.insert(users).values({ id: value, email: value, name: value })
        },
      },
    ]
    const queue = await createQueue({
      database: t.database,
      logger: pino({ level: 'silent' }),
      jobs: jobs as JobDefinition<never>[],
      pollingIntervalSeconds: 0.5,
    })
    try {
      await queue.work()
      await queue.send('test-failing-query', { value: secret })
      const deadline = Date.now() + 20_000
      let output: unknown
      while (Date.now() < deadline && output === undefined) {
        const { rows } = (await t.database.db.execute(
          sql`select output from pgboss.job where name = 'test-failing-query' and state = 'failed'`,
        )) as unknown as { rows: { output: unknown }[] }
        output = rows[0]?.output
        if (output === undefined) await new Promise((r) => setTimeout(r, 200))
      }
      expect(JSON.stringify(output)).toContain('insert into users failed')
      expect(JSON.stringify(output)).not.toContain(secret)
    } finally {
      await queue.stop(1_000)
    }
  })
})
