import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { given } from '../test/given.ts'
import { postImport, startJob, workerScene } from '../test/jobs.ts'
import { killClis, runCli, terminate, waitForLog } from '../test/spawn.ts'

const dirs: string[] = []
afterEach(() => {
  killClis()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const TOKEN = 'worker-metrics-token-0123'

/** A series' value in Prometheus text, or undefined when the series is absent. */
const series = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

describe('a worker process with WORKER_METRICS_PORT', () => {
  it('serves /metrics: its job runs by kind and outcome with durations, queue depth, process metrics', {
    timeout: 300_000,
  }, async () => {
    const { env, app, closeApp } = await workerScene(dirs)
    const owner = await given.user(app)
    const team = await given.team(app, owner)
    const project = await given.project(app, team, owner)
    await given.tasks(app, { id: project.id, teamId: team.id }, 25)
    const exported = await startJob(app, owner, 'exports', { teamId: team.id, format: 'csv' })
    const imported = await postImport(app, owner, { teamId: team.id, format: 'csv' }, 'title,status\r\nbad,nope\r\n')
    expect(imported.statusCode, imported.body).toBe(202)
    await closeApp()

    const worker = runCli(['worker'], { ...env, WORKER_METRICS_PORT: '0', METRICS_TOKEN: TOKEN })
    const { url } = await waitForLog(worker, (l) => l.msg === 'worker metrics listening', 120_000)
    for (const id of [exported.id, imported.json().id]) {
      await waitForLog(worker, (l) => l.msg === 'job run ended' && l.jobId === id, 120_000)
    }

    expect((await fetch(url as string)).status).toBe(401)
    const res = await fetch(url as string, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    const runs = 'tasklane_jobs_duration_seconds'
    expect(series(text, `${runs}_count{kind="export",outcome="done"}`)).toBe(1)
    // an import whose file is invalid ends failed without the run failing: counted as the job ended
    expect(series(text, `${runs}_count{kind="import",outcome="failed"}`)).toBe(1)
    expect(series(text, `${runs}_sum{kind="export",outcome="done"}`)).toBeGreaterThan(0)
    expect(series(text, `${runs}_bucket{le="+Inf",kind="export",outcome="done"}`)).toBe(1)
    expect(series(text, 'tasklane_jobs_completed_total{queue="jobs.export"}')).toBe(1)
    expect(text).toMatch(/^tasklane_job_queue_jobs\{/m)
    expect(series(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(text).toMatch(/^tasklane_build_info\{/m)
    expect((await fetch(new URL('/health', url as string))).status).toBe(200)
    expect((await fetch(new URL('/api/v1/tasks', url as string))).status).toBe(404)

    expect(await terminate(worker)).toBe(0)
  })
})
