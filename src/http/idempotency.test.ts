import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { FAIL_ANSWER_TRIGGER } from '../../test/fail-answer.ts'
import { type GivenUser, given } from '../../test/given.ts'
import { sha256 } from '../lib/crypto.ts'

const t = useTestApp()

const URL = '/api/v1/tasks'
const create = (user: GivenUser, key: string, payload: object) =>
  t.app.inject({ method: 'POST', url: URL, headers: { ...user.auth, 'idempotency-key': key }, payload })

const tasksTitled = async (title: string) =>
  (await t.database.sql.query<{ id: string }>('select id from tasks where title = $1', [title])).rows.map((r) => r.id)

const keyRows = async (userId: string, key: string) =>
  (
    await t.database.sql.query<{ response_status: number | null }>(
      'select response_status from idempotency_keys where user_id = $1 and key = $2',
      [userId, key],
    )
  ).rows

beforeAll(async () => {
  await t.database.sql.exec(FAIL_ANSWER_TRIGGER)
})

describe('Idempotency-Key on a create', () => {
  it('six concurrent requests with one key create one task; the others replay its answer', async () => {
    const user = await given.user(t.app)
    const title = `concurrent ${randomUUID()}`
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(user, 'six', { title })))
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(201))
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1)
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5)
    expect(await tasksTitled(title)).toEqual([answers[0]!.json().id])
  })

  it('two concurrent requests with one key and different bodies: one creates, the other is a 422', async () => {
    const user = await given.user(t.app)
    const [a, b] = [`first ${randomUUID()}`, `second ${randomUUID()}`]
    const answers = await Promise.all([create(user, 'two', { title: a }), create(user, 'two', { title: b })])
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 422])
    const created = answers.find((r) => r.statusCode === 201)!.json()
    expect([...(await tasksTitled(a)), ...(await tasksTitled(b))]).toEqual([created.id])
    const refused = answers.find((r) => r.statusCode === 422)!
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json().type).toBe('urn:tasklane:problem:idempotency-key-reused')
  })

  it('a key used with another body later is a 422 that creates nothing; the first answer still replays', async () => {
    const user = await given.user(t.app)
    const title = `once ${randomUUID()}`
    const first = await create(user, 'reused', { title })
    expect(first.statusCode).toBe(201)
    const other = `other ${randomUUID()}`
    const reused = await create(user, 'reused', { title: other })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().type).toBe('urn:tasklane:problem:idempotency-key-reused')
    expect(await tasksTitled(other)).toEqual([])
    const again = await create(user, 'reused', { title })
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body).toBe(first.body)
    expect(again.headers.location).toBe(first.headers.location)
    expect(again.headers.etag).toBe(first.headers.etag)
  })

  it('a refused create keeps no key: the same key then creates with a corrected body', async () => {
    const user = await given.user(t.app)
    const title = `corrected ${randomUUID()}`
    const refused = await create(user, 'fix-me', { title, projectId: randomUUID() })
    expect(refused.statusCode).toBe(400)
    expect(await keyRows(user.id, 'fix-me')).toEqual([])
    const fixed = await create(user, 'fix-me', { title })
    expect(fixed.statusCode).toBe(201)
    expect(fixed.headers['idempotent-replayed']).toBeUndefined()
    expect(await tasksTitled(title)).toEqual([fixed.json().id])
  })

  it('when the answer cannot be stored with the key, nothing is created and the answer is a 503 problem', async () => {
    const user = await given.user(t.app)
    const title = `unstored ${randomUUID()}`
    const res = await create(user, 'fail-answer-task', { title })
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['x-request-id']).toBe(res.json().requestId)
    expect(res.headers['retry-after']).toBeDefined()
    expect(res.headers.location).toBeUndefined()
    expect(res.headers.etag).toBeUndefined()
    // the create and the key's claim rolled back together
    expect(await tasksTitled(title)).toEqual([])
    expect(await keyRows(user.id, 'fail-answer-task')).toEqual([])
  })
})

const pgUrl = () => (t.database.kind === 'postgres' ? t.database.url : undefined)

/** Another instance's request with the same key, in the middle of its transaction. */
async function otherTransaction(user: GivenUser, key: string, payload: object, answer?: string) {
  const client = new pg.Client({ connectionString: pgUrl() })
  await client.connect()
  await client.query('begin')
  const hash = sha256(`POST ${URL}\n${JSON.stringify(payload)}`)
  await client.query(
    `insert into idempotency_keys (user_id, key, request_hash, response_status, response_body, response_headers)
     values ($1, $2, $3, $4, $5, $6)`,
    answer === undefined
      ? [user.id, key, hash, null, null, null]
      : [user.id, key, hash, 201, answer, { 'content-type': 'application/json; charset=utf-8' }],
  )
  const end = async (how: 'commit' | 'rollback') => {
    await client.query(how)
    await client.end()
  }
  return { end }
}

/** Resolves once a session of the app's database waits for a lock (the keyed request's claim). */
async function someoneWaits() {
  await vi.waitFor(
    async () => {
      const { rows } = await t.database.sql.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      )
      expect(rows[0]!.n).toBeGreaterThan(0)
    },
    { timeout: 10_000, interval: 50 },
  )
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Idempotency-Key while another instance handles the same key', () => {
  it('waits for its transaction and replays the answer it committed', async () => {
    const user = await given.user(t.app)
    const payload = { title: `waiting ${randomUUID()}` }
    const other = await otherTransaction(user, 'shared', payload, '{"id":"from-the-other"}')
    const pending = create(user, 'shared', payload)
    await someoneWaits()
    await other.end('commit')
    const res = await pending
    expect(res.statusCode).toBe(201)
    expect(res.headers['idempotent-replayed']).toBe('true')
    expect(res.body).toBe('{"id":"from-the-other"}')
    expect(await tasksTitled(payload.title)).toEqual([])
  })

  it('creates when the other transaction rolls back (its instance died)', async () => {
    const user = await given.user(t.app)
    const payload = { title: `taken over ${randomUUID()}` }
    const other = await otherTransaction(user, 'orphan', payload)
    const pending = create(user, 'orphan', payload)
    await someoneWaits()
    await other.end('rollback')
    const res = await pending
    expect(res.statusCode).toBe(201)
    expect(res.headers['idempotent-replayed']).toBeUndefined()
    expect(await tasksTitled(payload.title)).toEqual([res.json().id])
  })

  it('answers 409 (in progress) when the other transaction holds the key longer than 15 s', {
    timeout: 60_000,
  }, async () => {
    const user = await given.user(t.app)
    const payload = { title: `in progress ${randomUUID()}` }
    const other = await otherTransaction(user, 'slow', payload)
    try {
      const res = await create(user, 'slow', payload)
      expect(res.statusCode).toBe(409)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({
        type: 'urn:tasklane:problem:idempotency-in-progress',
        detail: expect.stringMatching(/still in progress/),
      })
      expect(await tasksTitled(payload.title)).toEqual([])
    } finally {
      await other.end('rollback')
    }
    const later = await create(user, 'slow', payload)
    expect(later.statusCode).toBe(201)
  })
})
