import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setNotification } from '../../../test/accounts.ts'
import { eventually } from '../../../test/eventually.ts'
import { given } from '../../../test/given.ts'
import { createWorkerApp, startReceiver, startSmtp, testClock, type WorkerTestApp } from '../../../test/worker-app.ts'

const DAY = 24 * 3600 * 1000

describe('a webhook failing for 3 days', { timeout: 90_000 }, () => {
  const clock = testClock()
  let t: WorkerTestApp
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    smtp = await startSmtp()
    receiver = await startReceiver()
    // retries an hour apart: within the test only new events make attempts
    t = await createWorkerApp({ env: { SMTP_URL: smtp.url }, now: clock.now, retryDelaySeconds: 3600 })
  })
  afterAll(async () => {
    await t?.close()
    await receiver?.close()
    await smtp?.close()
  })

  const hookState = async (owner: { auth: Record<string, string> }, id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}`, headers: owner.auth })).json()
  const deliveries = async (owner: { auth: Record<string, string> }, id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries`, headers: owner.auth })).json().items

  it('is switched off and the team admins are emailed (except those who opted out)', async () => {
    const owner = await given.user(t.app, { name: 'Olive Owner' })
    const team = await given.team(t.app, owner, { name: 'Hooked team' })
    const admin = await given.member(t.app, team, owner, 'admin')
    const quietAdmin = await given.member(t.app, team, owner, 'admin')
    const member = await given.member(t.app, team, owner, 'member')
    await setNotification(t.app, quietAdmin, 'webhooks')
    const project = await given.project(t.app, team, owner)
    receiver.answer(500)
    const hook = await given.webhook(t.app, owner, team.id, { url: receiver.url, events: ['task.created'] })

    await given.task(t.app, owner, { projectId: project.id })
    await eventually(async () => (await deliveries(owner, hook.id))[0]?.attempts.length === 1)
    expect(await hookState(owner, hook.id)).toMatchObject({ active: true })

    clock.advance(2 * DAY)
    await given.task(t.app, owner, { projectId: project.id })
    await eventually(
      async () => (await deliveries(owner, hook.id))[0]?.attempts.length === 1 && receiver.received.length === 2,
    )
    expect(await hookState(owner, hook.id)).toMatchObject({ active: true })

    clock.advance(DAY + 60_000)
    await given.task(t.app, owner, { projectId: project.id })
    await eventually(async () => (await hookState(owner, hook.id)).active === false)
    const items = await deliveries(owner, hook.id)
    expect(items[0]).toMatchObject({ status: 'failed', attempts: [{ statusCode: 500 }] })

    const mails = await eventually(() => smtp.to(owner.email).length === 1 && smtp.mails)
    expect(smtp.to(owner.email)[0]!.subject).toBe('Webhook switched off in Hooked team')
    await eventually(() => smtp.to(admin.email).length === 1)
    expect(smtp.to(admin.email)[0]!.raw).toContain(`/webhooks?team=${team.id}`)
    expect(mails.filter((m) => m.to.includes(quietAdmin.email) || m.to.includes(member.email))).toEqual([])

    const activity = await t.app.inject({
      method: 'GET',
      url: `/api/v1/activity?teamId=${team.id}`,
      headers: owner.auth,
    })
    expect(activity.json().items.map((e: { action: string }) => e.action)).toContain('webhook.disabled')

    // nothing more is sent while it is off
    const before = receiver.received.length
    await given.task(t.app, owner, { projectId: project.id })
    await new Promise((r) => setTimeout(r, 1500))
    expect(receiver.received.length).toBe(before)

    // switched on again, the next success starts a clean slate
    receiver.answer(200)
    const on = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${hook.id}`,
      headers: owner.auth,
      payload: { active: true },
    })
    expect(on.json()).toMatchObject({ active: true })
    await given.task(t.app, owner, { projectId: project.id })
    await eventually(async () => (await deliveries(owner, hook.id))[0]?.status === 'delivered')
  })
})
