import { memo } from 'react'
import { Link } from 'react-router'
import { priorityLabel, statusLabel, type Task } from '../api/types.ts'
import { formatDue, isOverdue } from './dates.ts'

export const TaskRow = memo(function TaskRow({ task }: { task: Task }) {
  const overdue = isOverdue(task)
  return (
    <li className="task-row">
      <Link to={`/tasks/${task.id}`} className="task-title">
        {task.title}
      </Link>
      <span className={`badge status-${task.status}`}>{statusLabel(task.status)}</span>
      <span className={`badge priority-${task.priority}`}>{priorityLabel(task.priority)}</span>
      {task.dueAt && (
        <span className={overdue ? 'due overdue' : 'due'}>
          {overdue ? 'Overdue: ' : 'Due '}
          <time dateTime={task.dueAt}>{formatDue(task.dueAt)}</time>
        </span>
      )}
      {task.assignee && <span className="assignee">{task.assignee.name}</span>}
      {task.tags.map((tag) => (
        <span key={tag.id} className="tag" style={{ borderColor: tag.color }}>
          {tag.name}
        </span>
      ))}
      {task.subtaskCount > 0 && <span className="muted">{task.subtaskCount} subtasks</span>}
    </li>
  )
})
