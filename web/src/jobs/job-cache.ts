import type { QueryClient } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { Job, JobKind } from '../api/types.ts'

// jobs expire after 7 days and starting them is limited per minute: the newest 50 of each kind is
// more than a team makes in that time
const PER_KIND = 50

export const jobsKey = (teamId: string) => ['jobs', teamId]

const newestFirst = (a: Job, b: Job) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)

/** The team's exports, imports and reports the caller may see, newest first, as one list. */
export const jobsQuery = (teamId: string) => ({
  queryKey: jobsKey(teamId),
  queryFn: async () => {
    const params = { params: { query: { teamId, limit: PER_KIND } } }
    const pages = await Promise.all([
      api.GET('/api/v1/exports', params).then(unwrap),
      api.GET('/api/v1/imports', params).then(unwrap),
      api.GET('/api/v1/reports', params).then(unwrap),
    ])
    return pages.flatMap((page) => page.items).sort(newestFirst)
  },
})

/** One job, fetched again from the route of its kind. */
async function fetchJob(kind: JobKind, id: string) {
  const params = { params: { path: { id } } }
  if (kind === 'export') return api.GET('/api/v1/exports/{id}', params)
  if (kind === 'import') return api.GET('/api/v1/imports/{id}', params)
  return api.GET('/api/v1/reports/{id}', params)
}

/** Deletes a job (a running one stops) with its file. */
export async function deleteJob(job: Pick<Job, 'kind' | 'id'>) {
  const params = { params: { path: { id: job.id } } }
  if (job.kind === 'export') return unwrap(await api.DELETE('/api/v1/exports/{id}', params))
  if (job.kind === 'import') return unwrap(await api.DELETE('/api/v1/imports/{id}', params))
  return unwrap(await api.DELETE('/api/v1/reports/{id}', params))
}

export const downloadUrl = (job: Pick<Job, 'kind' | 'id'>) => `/api/v1/${job.kind}s/${job.id}/download`

/** Puts a job's current state in its team's list: in place, or as a new entry in order. */
export function putJob(queryClient: QueryClient, job: Job) {
  queryClient.setQueryData<Job[]>(jobsKey(job.teamId), (jobs) => {
    if (!jobs) return jobs
    return jobs.some((j) => j.id === job.id)
      ? jobs.map((j) => (j.id === job.id ? job : j))
      : [job, ...jobs].sort(newestFirst)
  })
}

/** Drops a job from every list. */
export function dropJob(queryClient: QueryClient, id: string) {
  queryClient.setQueriesData<Job[]>({ queryKey: ['jobs'] }, (jobs) => jobs?.filter((j) => j.id !== id))
}

/** The cached job of that id, in whichever team's list holds it. */
function cachedJob(queryClient: QueryClient, id: string): Job | undefined {
  for (const [, jobs] of queryClient.getQueriesData<Job[]>({ queryKey: ['jobs'] })) {
    const job = jobs?.find((j) => j.id === id)
    if (job) return job
  }
  return undefined
}

/** A running job's progress, straight from its event (no request): only forward, only while it runs. */
export function patchJobProgress(queryClient: QueryClient, id: string, progress: Job['progress']) {
  queryClient.setQueriesData<Job[]>({ queryKey: ['jobs'] }, (jobs) =>
    jobs?.some((j) => j.id === id)
      ? jobs.map((j) =>
          j.id === id && (j.status === 'queued' || j.status === 'running') && progress.done >= j.progress.done
            ? { ...j, status: 'running', progress }
            : j,
        )
      : jobs,
  )
}

/**
 * Brings these jobs up to date after their events: each one shown is fetched once from its kind's
 * route (gone: dropped); one that no list holds yet (started in another tab) makes the lists look again.
 */
export async function refreshJobs(queryClient: QueryClient, ids: Iterable<string>) {
  let unknown = false
  await Promise.all(
    [...ids].map(async (id) => {
      const job = cachedJob(queryClient, id)
      if (!job) {
        unknown = true
        return
      }
      const { data, response } = await fetchJob(job.kind, id)
      if (data) putJob(queryClient, data)
      else if (response.status === 404) dropJob(queryClient, id)
    }),
  )
  if (unknown) await queryClient.invalidateQueries({ queryKey: ['jobs'] })
}
