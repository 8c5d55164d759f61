import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { startReceiver, useWorkerApp } from '../../../test/worker-app.ts'
import { webhooks } from '../../db/tables/webhooks.ts'

describe('the SSRF guard at delivery time', { timeout: 90_000 }, () => {
  // private addresses refused, as in production
  const t = useWorkerApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'false' }, retryDelaySeconds: 3600 })
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    receiver = await startReceiver()
  })
  afterAll(async () => receiver.close())

  it('refuses a URL that has come to point at an internal address since it was checked', async () => {
    const owner = await given.user(t.app)
    const team = await given.team(t.app, owner)
    const project = await given.project(t.app, team, owner)
    const hook = await given.webhook(t.app, owner, team.id, {
      url: 'http://93.184.216.34/hook',
      events: ['task.created'],
    })
    // what a DNS change (or rebinding) does to a checked host name, simulated on the stored URL
    await t.database.db.update(webhooks).set({ url: receiver.url }).where(eq(webhooks.id, hook.id))

    await given.task(t.app, owner, { projectId: project.id })
    const [d] = await eventually(async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/webhooks/${hook.id}/deliveries`,
        headers: owner.auth,
      })
      const items = res.json().items
      return items[0]?.attempts.length === 1 && items
    })
    expect(d.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: .*127\.0\.0\.1/) })
    expect(receiver.received).toEqual([])
  })
})
