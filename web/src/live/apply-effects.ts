import type { QueryClient } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { patchJobProgress, refreshJobs } from '../jobs/job-cache.ts'
import { isShown, patchTask, recheckFilteredLists, recheckProjectLists, removeTask } from '../tasks/task-cache.ts'
import type { Effects } from './event-effects.ts'

/** Brings what is on screen up to date with a batch of events' effects. */
export async function applyEffects(queryClient: QueryClient, effects: Effects) {
  for (const id of effects.removeTasks) removeTask(queryClient, id)
  for (const [projectId, teamId] of effects.projectLists) recheckProjectLists(queryClient, projectId, teamId)
  for (const key of effects.keys) void queryClient.invalidateQueries({ queryKey: key })
  for (const [id, progress] of effects.jobProgress) patchJobProgress(queryClient, id, progress)
  await Promise.all([
    refreshJobs(queryClient, effects.refreshJobs),
    ...[...effects.refreshTasks]
      .filter((id) => isShown(queryClient, id))
      .map(async (id) => {
        const { data, response } = await api.GET('/api/v1/tasks/{id}', { params: { path: { id } } })
        if (data) {
          patchTask(queryClient, data)
          recheckFilteredLists(queryClient, id)
        } else if (response.status === 404) removeTask(queryClient, id)
      }),
  ])
}
