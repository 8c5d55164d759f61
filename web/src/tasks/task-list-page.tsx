import { useSearchParams } from 'react-router'
import { describeError } from '../api/problem.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { TaskFilters } from './task-filters.tsx'
import { taskListQuery } from './task-query.ts'
import { TaskRow } from './task-row.tsx'
import { useTaskList } from './use-tasks.ts'

export function TaskListPage() {
  const [params] = useSearchParams()
  const { team, project } = useWorkspace()
  const query = taskListQuery(params, { teamId: team.id, projectId: project?.id })
  const list = useTaskList(query)
  const tasks = list.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <section aria-labelledby="tasks-heading">
      <h1 id="tasks-heading">Tasks</h1>
      <TaskFilters />
      {list.isPending && <p aria-busy="true">Loading tasks…</p>}
      {list.error && <p role="alert">The tasks could not be loaded: {describeError(list.error)}</p>}
      {list.isSuccess && tasks.length === 0 && <p>No tasks match. Create one with “New task”.</p>}
      <ul className="task-list" aria-label="Tasks">
        {tasks.map((task) => (
          <TaskRow key={task.id} task={task} />
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  )
}
