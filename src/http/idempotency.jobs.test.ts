import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/app.ts'
import { given } from '../../test/given.ts'
import { http } from '../../test/http.ts'
import { localStorage } from '../infra/storage-local.ts'
import { jobDefinitions } from '../jobs.ts'
import { SWEEP_IDEMPOTENCY_KEYS_JOB } from './idempotency.jobs.ts'

const t = useTestApp()
const { post } = http(t)

const keysOf = async (userId: string) =>
  (
    await t.database.sql.query<{ key: string }>('select key from idempotency_keys where user_id = $1 order by key', [
      userId,
    ])
  ).rows.map((r) => r.key)

describe('the sweep of Idempotency-Keys', () => {
  it('is scheduled hourly with the other jobs and removes the keys past their 24 hours only', async () => {
    const user = await given.user(t.app)
    for (const key of ['fresh', 'stale']) {
      const res = await post('/api/v1/tasks', { ...user.auth, 'idempotency-key': key }, { title: `keyed ${key}` })
      expect(res.statusCode, res.body).toBe(201)
    }
    await t.database.sql.query(
      `update idempotency_keys set created_at = now() - interval '24 hours 1 minute' where user_id = $1 and key = 'stale'`,
      [user.id],
    )
    const sweep = jobDefinitions({
      config: t.config,
      database: t.database,
      storage: localStorage(t.config.STORAGE_DIR),
    }).find((j) => j.name === SWEEP_IDEMPOTENCY_KEYS_JOB)
    expect(sweep?.cron).toBe('41 * * * *')
    expect(await sweep!.handle({} as never, {} as never)).toEqual({ removed: 1 })
    expect(await keysOf(user.id)).toEqual(['fresh'])
    // the swept key no longer replays: the same key creates again
    const again = await post('/api/v1/tasks', { ...user.auth, 'idempotency-key': 'stale' }, { title: 'keyed again' })
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBeUndefined()
  })
})
