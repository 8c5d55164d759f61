import type { QueryClient } from '@tanstack/react-query'
import { getSession } from './auth/session.ts'
import { PROJECT_KEY, projectsQuery, TEAM_KEY, teamsQuery } from './shell/workspace.tsx'
import { taskListQuery } from './tasks/task-query.ts'
import { taskListOptions } from './tasks/use-tasks.ts'

/**
 * Asks for what the first screen needs before React renders it, all at once: the teams, and when
 * this browser showed a team and project before, their projects and (on the task list) its first
 * page. Without this the requests would go one after another as each component learns its ids.
 */
export function prefetchFirstScreen(queryClient: QueryClient) {
  if (!getSession()) return
  void queryClient.prefetchQuery(teamsQuery)
  const teamId = localStorage.getItem(TEAM_KEY)
  const projectId = localStorage.getItem(PROJECT_KEY) ?? undefined
  if (!teamId) return
  void queryClient.prefetchQuery(projectsQuery(teamId))
  if (location.pathname === '/' || location.pathname === '/tasks') {
    void queryClient.prefetchInfiniteQuery(
      taskListOptions(taskListQuery(new URLSearchParams(location.search), { teamId, projectId })),
    )
  }
}
