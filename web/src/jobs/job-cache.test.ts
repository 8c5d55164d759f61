import { QueryClient } from '@tanstack/react-query'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Job } from '../api/types.ts'

const GET = vi.fn()
vi.mock('../api/client.ts', () => ({ api: { GET: (...args: unknown[]) => GET(...args) } }))
const { jobsKey, patchJobProgress, putJob, refreshJobs } = await import('./job-cache.ts')

const job = (id: string, over: Partial<Job> = {}) =>
  ({
    id,
    kind: 'import',
    teamId: 'team',
    status: 'running',
    progress: { done: 0, total: 10 },
    createdAt: `2026-03-01T10:00:0${id.slice(-1)}.000Z`,
    ...over,
  }) as Job

const answer = (status: number, data?: Job) => ({ data, response: new Response(null, { status }) })

describe('the job cache', () => {
  let client: QueryClient
  beforeEach(() => {
    GET.mockReset()
    client = new QueryClient()
    client.setQueryData(jobsKey('team'), [job('j2'), job('j1', { kind: 'export' })])
  })
  const ids = () => client.getQueryData<Job[]>(jobsKey('team'))?.map((j) => j.id)
  const get = (id: string) => client.getQueryData<Job[]>(jobsKey('team'))?.find((j) => j.id === id)

  it('puts a started job first and replaces a known one in place', () => {
    putJob(client, job('j3', { status: 'queued' }))
    expect(ids()).toEqual(['j3', 'j2', 'j1'])
    putJob(client, job('j1', { kind: 'export', status: 'done' }))
    expect(ids()).toEqual(['j3', 'j2', 'j1'])
    expect(get('j1')?.status).toBe('done')
  })

  it('moves progress forward only, and never on a finished job', () => {
    patchJobProgress(client, 'j2', { done: 5, total: 10 })
    patchJobProgress(client, 'j2', { done: 3, total: 10 })
    expect(get('j2')?.progress).toEqual({ done: 5, total: 10 })
    putJob(client, job('j1', { kind: 'export', status: 'done', progress: { done: 10, total: 10 } }))
    patchJobProgress(client, 'j1', { done: 4, total: 10 })
    expect(get('j1')?.progress).toEqual({ done: 10, total: 10 })
  })

  it("fetches a changed job once from its kind's route, and drops one that is gone", async () => {
    GET.mockImplementation(async (_path: string, { params }: { params: { path: { id: string } } }) =>
      params.path.id === 'j2' ? answer(200, job('j2', { status: 'failed' })) : answer(404),
    )
    await refreshJobs(client, ['j2', 'j1'])
    expect(GET.mock.calls.map(([path, opts]) => [path, opts.params.path.id]).sort()).toEqual([
      ['/api/v1/exports/{id}', 'j1'],
      ['/api/v1/imports/{id}', 'j2'],
    ])
    expect(ids()).toEqual(['j2'])
    expect(get('j2')?.status).toBe('failed')
  })

  it('makes the lists look again for a job none of them holds (started in another tab)', async () => {
    const spy = vi.spyOn(client, 'invalidateQueries')
    await refreshJobs(client, ['elsewhere'])
    expect(GET).not.toHaveBeenCalled()
    expect(spy).toHaveBeenCalledWith({ queryKey: ['jobs'] })
  })
})
