import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { given } from '../../../test/given.ts'
import { postImport, workerScene } from '../../../test/jobs.ts'
import { killClis, runCli, terminate, waitForLog } from '../../../test/spawn.ts'

const TASKS = 5000

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('an import whose worker is killed while it writes', () => {
  it('runs again and imports every row exactly once', { timeout: 400_000 }, async () => {
    const { env, open, app, closeApp } = await workerScene(dirs)
    const owner = await given.user(app)
    const team = await given.team(app, owner)
    const rows = Array.from({ length: TASKS }, (_, i) => `Imported ${i},todo,P${i % 3},t${i % 5}`)
    const res = await postImport(
      app,
      owner,
      { teamId: team.id, format: 'csv' },
      `title,status,project,tags\r\n${rows.join('\r\n')}\r\n`,
    )
    expect(res.statusCode, res.body).toBe(202)
    const job = res.json()
    await closeApp()

    const first = runCli(['worker'], env)
    await waitForLog(first, (l) => l.msg === 'import writing' && l.jobId === job.id, 120_000)
    first.child.kill('SIGKILL')
    await first.exited
    expect(first.logs.some((l) => l.msg === 'import written')).toBe(false)

    const second = runCli(['worker'], env)
    await waitForLog(
      second,
      (l) => l.msg === 'job run ended' && l.jobId === job.id && l.outcome === 'finished',
      240_000,
    )
    await terminate(second)

    const check = await open()
    try {
      const one = async <R>(text: string) => (await check.sql.query<R>(text, [team.id])).rows[0]!
      expect(
        await one<{ status: string; attempts: number }>('select status, attempts from jobs where team_id = $1'),
      ).toMatchObject({
        status: 'done',
      })
      expect(await one<{ n: number }>('select count(*)::int as n from tasks where team_id = $1')).toEqual({ n: TASKS })
      expect(await one<{ n: number }>('select count(*)::int as n from projects where team_id = $1')).toEqual({ n: 3 })
      expect(
        await one<{ n: number }>(
          'select count(*)::int as n from task_tags join tags on tags.id = tag_id where tags.team_id = $1',
        ),
      ).toEqual({ n: TASKS })
      expect(
        await one<{ n: number }>(
          `select count(*)::int as n from activity where team_id = $1 and action = 'import.completed'`,
        ),
      ).toEqual({ n: 1 })
      expect(
        await one<{ n: number }>(
          `select coalesce(sum(count), 0)::int as n from task_counters where team_id = $1 and dim = 'status'`,
        ),
      ).toEqual({ n: TASKS })
    } finally {
      await check.close()
    }
  })
})
