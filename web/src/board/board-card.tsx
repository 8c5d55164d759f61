import { useSortable } from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import { memo } from 'react'
import { Link } from 'react-router'
import { priorityLabel, STATUSES, type Task, type TaskStatus } from '../api/types.ts'
import { formatDue, isOverdue } from '../tasks/dates.ts'

export type Move = { step: -1 | 1 } | { to: TaskStatus }

/** A card: its title opens the task; the handle drags it; the arrow buttons move it by keyboard or touch. */
export const BoardCard = memo(function BoardCard({
  task,
  first,
  last,
  onMove,
}: {
  task: Task
  first: boolean
  last: boolean
  onMove: (task: Task, move: Move) => void
}) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: task.id,
    data: { status: task.status },
  })
  const column = STATUSES.findIndex((s) => s.value === task.status)
  const prev = STATUSES[column - 1]
  const next = STATUSES[column + 1]
  return (
    <li
      ref={setNodeRef}
      className={isDragging ? 'card dragging' : 'card'}
      style={{ transform: CSS.Translate.toString(transform), transition }}
    >
      <div className="card-top">
        <button
          type="button"
          className="drag-handle"
          ref={setActivatorNodeRef}
          {...attributes}
          {...listeners}
          aria-label={`Drag ${task.title}`}
        >
          ⠿
        </button>
        <Link to={`/tasks/${task.id}`} className="card-title">
          {task.title}
        </Link>
      </div>
      <div className="card-meta">
        {task.priority !== 'medium' && (
          <span className={`badge priority-${task.priority}`}>{priorityLabel(task.priority)}</span>
        )}
        {task.dueAt && (
          <time className={isOverdue(task) ? 'due overdue' : 'due'} dateTime={task.dueAt}>
            {formatDue(task.dueAt)}
          </time>
        )}
        {task.assignee && <span className="assignee">{task.assignee.name}</span>}
        <span className="card-moves">
          <button
            type="button"
            disabled={first}
            onClick={() => onMove(task, { step: -1 })}
            aria-label={`Move ${task.title} up`}
          >
            ↑
          </button>
          <button
            type="button"
            disabled={last}
            onClick={() => onMove(task, { step: 1 })}
            aria-label={`Move ${task.title} down`}
          >
            ↓
          </button>
          <button
            type="button"
            disabled={!prev}
            onClick={() => prev && onMove(task, { to: prev.value })}
            aria-label={prev ? `Move ${task.title} to ${prev.label}` : `${task.title} is in the first column`}
          >
            ←
          </button>
          <button
            type="button"
            disabled={!next}
            onClick={() => next && onMove(task, { to: next.value })}
            aria-label={next ? `Move ${task.title} to ${next.label}` : `${task.title} is in the last column`}
          >
            →
          </button>
        </span>
      </div>
    </li>
  )
})
