import { useDroppable } from '@dnd-kit/core'
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable'
import { memo, useMemo } from 'react'
import type { Task, TaskStatus } from '../api/types.ts'
import { BoardCard, type Move } from './board-card.tsx'

const columnId = (status: TaskStatus) => `column:${status}`

/** One status: a region named after it, holding its cards in board order. */
export const BoardColumn = memo(function BoardColumn({
  status,
  label,
  tasks,
  onMove,
}: {
  status: TaskStatus
  label: string
  tasks: Task[]
  onMove: (task: Task, move: Move) => void
}) {
  const { setNodeRef, isOver } = useDroppable({ id: columnId(status), data: { status } })
  const ids = useMemo(() => tasks.map((t) => t.id), [tasks])
  const headingId = `column-${status}`
  return (
    <section className={isOver ? 'column over' : 'column'} aria-labelledby={headingId}>
      <h2 id={headingId}>{label}</h2>
      <p className="muted count">{tasks.length === 1 ? '1 task' : `${tasks.length} tasks`}</p>
      <SortableContext id={status} items={ids} strategy={verticalListSortingStrategy}>
        <ul ref={setNodeRef} className="cards" aria-labelledby={headingId}>
          {tasks.map((task, i) => (
            <BoardCard key={task.id} task={task} first={i === 0} last={i === tasks.length - 1} onMove={onMove} />
          ))}
        </ul>
      </SortableContext>
    </section>
  )
})
