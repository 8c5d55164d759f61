import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../../test/app.ts'
import { given } from '../../../test/given.ts'
import { createLogFollower } from './log-follower.ts'

const t = useTestApp()

const insertEntry = (client: pg.Client, teamId: string, actorId: string) =>
  client
    .query<{ id: string }>(
      `insert into activity (actor_id, action, entity_type, entity_id, team_id)
       values ($1, 'test.entry', 'team', $2, $2) returning id`,
      [actorId, teamId],
    )
    .then((r) => Number(r.rows[0]!.id))

describe('the safe high-water mark of the activity log', () => {
  it('moves up to the newest entry when nothing is in flight', async () => {
    const user = await given.user(t.app)
    await given.team(t.app, user)
    const follower = createLogFollower(t.database)
    const { rows } = await t.database.sql.query<{ max: string }>('select max(id)::text as max from activity')
    expect(await follower.settle(1_000)).toBe(Number(rows[0]!.max))
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'never passes an entry whose transaction commits after a later one',
    async () => {
      const user = await given.user(t.app)
      const team = await given.team(t.app, user)
      const first = new pg.Client({ connectionString: t.database.url })
      const second = new pg.Client({ connectionString: t.database.url })
      await first.connect()
      await second.connect()
      try {
        const follower = createLogFollower(t.database)
        const before = await follower.settle(1_000)
        // first takes the lower id and stays open; second takes a higher id and commits first
        await first.query('begin')
        const low = await insertEntry(first, team.id, user.id)
        await second.query('begin')
        const high = await insertEntry(second, team.id, user.id)
        await second.query('commit')
        expect(high).toBeGreaterThan(low)

        const held = await follower.settle(300)
        expect(held).toBeLessThan(low)
        expect(held).toBeGreaterThanOrEqual(before)
        const feed = await t.app.inject({
          method: 'GET',
          url: `/api/v1/changes?teamId=${team.id}&after=${before}`,
          headers: user.auth,
        })
        expect(feed.json().items.map((i: { id: number }) => i.id)).not.toContain(high)

        await first.query('commit')
        expect(await follower.settle(1_000)).toBeGreaterThanOrEqual(high)
        const after = await t.app.inject({
          method: 'GET',
          url: `/api/v1/changes?teamId=${team.id}&after=${before}`,
          headers: user.auth,
        })
        const ids = after.json().items.map((i: { id: number }) => i.id)
        expect(ids.indexOf(low)).toBeGreaterThanOrEqual(0)
        expect(ids.indexOf(high)).toBe(ids.indexOf(low) + 1)
      } finally {
        await first.end()
        await second.end()
      }
    },
  )

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'treats an id of a rolled-back transaction as a permanent gap',
    async () => {
      const user = await given.user(t.app)
      const team = await given.team(t.app, user)
      const client = new pg.Client({ connectionString: t.database.url })
      await client.connect()
      try {
        const follower = createLogFollower(t.database)
        await client.query('begin')
        const lost = await insertEntry(client, team.id, user.id)
        await client.query('rollback')
        await given.team(t.app, user)
        expect(await follower.settle(1_000)).toBeGreaterThan(lost)
      } finally {
        await client.end()
      }
    },
  )
})
