import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import { api } from '../../api/client.ts'
import { describeError, unwrap } from '../../api/problem.ts'
import { ActivityLog } from './activity-log.tsx'
import { Attachments } from './attachments.tsx'
import { Comments } from './comments.tsx'
import { Subtasks } from './subtasks.tsx'
import { TaskForm } from './task-form.tsx'

const taskQuery = (id: string) => ({
  queryKey: ['task', id],
  queryFn: async () => unwrap(await api.GET('/api/v1/tasks/{id}', { params: { path: { id } } })),
})

export default function TaskDetailPage() {
  const { id = '' } = useParams()
  const task = useQuery(taskQuery(id))
  if (task.isPending) return <p aria-busy="true">Loading the task…</p>
  if (task.error) {
    return (
      <section>
        <h1>Task not available</h1>
        <p role="alert">{describeError(task.error)}</p>
        <Link to="/tasks">Back to the tasks</Link>
      </section>
    )
  }
  return (
    <article className="task-detail" aria-labelledby="task-heading">
      <p className="breadcrumbs">
        <Link to="/tasks">Tasks</Link>
        {task.data.parentId && (
          <>
            {' / '}
            <Link to={`/tasks/${task.data.parentId}`}>Parent task</Link>
          </>
        )}
      </p>
      <h1 id="task-heading">{task.data.title}</h1>
      <div className="detail-grid">
        <div className="detail-main">
          <TaskForm task={task.data} />
          <Subtasks parent={task.data} />
          <Comments taskId={id} />
        </div>
        <aside className="detail-side">
          <Attachments taskId={id} />
          <ActivityLog taskId={id} />
        </aside>
      </div>
    </article>
  )
}
