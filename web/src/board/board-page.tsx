import {
  type Announcements,
  closestCorners,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable'
import { useCallback, useMemo, useRef, useState } from 'react'
import { describeError } from '../api/problem.ts'
import { STATUSES, statusLabel, type Task, type TaskStatus } from '../api/types.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import type { Move } from './board-card.tsx'
import { BoardColumn } from './board-column.tsx'
import { moveBy, positionAt, stableColumns } from './positions.ts'
import { BOARD_LIMIT, useBoardTasks, useMoveTask } from './use-board.ts'

/** Where a drag ended: the status of the column and the index in it (the column without the dragged task). */
function dropTarget(columns: Record<TaskStatus, Task[]>, event: DragEndEvent) {
  const { active, over } = event
  if (!over) return null
  const status = over.data.current?.status as TaskStatus | undefined
  if (!status) return null
  const rest = columns[status].filter((t) => t.id !== active.id)
  if (String(over.id).startsWith('column:')) return { status, rest, index: rest.length }
  const overIndex = columns[status].findIndex((t) => t.id === over.id)
  const activeIndex = columns[status].findIndex((t) => t.id === active.id)
  // within a column the dragged card takes the place of the one it is over (after it when moving down)
  const index = activeIndex >= 0 && activeIndex < overIndex ? overIndex : rest.findIndex((t) => t.id === over.id)
  return { status, rest, index: Math.max(0, index) }
}

export default function BoardPage() {
  const { project } = useWorkspace()
  if (!project) return <p>This team has no active project: create one under Projects.</p>
  return <Board projectId={project.id} projectName={project.name} />
}

function Board({ projectId, projectName }: { projectId: string; projectName: string }) {
  const board = useBoardTasks(projectId)
  const move = useMoveTask(projectId)
  const [error, setError] = useState<string | null>(null)
  const previous = useRef<Record<TaskStatus, Task[]>>(undefined)
  const columns = useMemo(() => stableColumns(previous.current, board.data ?? []), [board.data])
  previous.current = columns
  const columnsRef = useRef(columns)
  columnsRef.current = columns
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  )
  const send = useCallback(
    (task: Task, to: { status: TaskStatus; position: number }) => {
      setError(null)
      move.mutate(
        { task, to },
        { onError: (err) => setError(`${task.title} could not be moved: ${describeError(err)}`) },
      )
    },
    [move.mutate],
  )
  // stable across renders, so the 500 memoised cards do not re-render when one moves
  const onMove = useCallback(
    (task: Task, how: Move) => {
      const to = moveBy(columnsRef.current, task, how)
      if (to) send(task, to)
    },
    [send],
  )
  const onDragEnd = (event: DragEndEvent) => {
    const task = board.data?.find((t) => t.id === event.active.id)
    const target = dropTarget(columns, event)
    if (!task || !target) return
    const position = positionAt(target.rest, target.index)
    if (target.status === task.status && columns[task.status].indexOf(task) === target.index) return
    send(task, { status: target.status, position })
  }
  const title = (id: string | number) => board.data?.find((t) => t.id === id)?.title ?? 'the task'
  const where = (status: unknown) => statusLabel(status as TaskStatus)
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${title(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${title(active.id)} is over ${where(over.data.current?.status)}.`
        : `${title(active.id)} is over no column.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${title(active.id)} was dropped in ${where(over.data.current?.status)}.`
        : `${title(active.id)} was put back.`,
    onDragCancel: ({ active }) => `Moving ${title(active.id)} was cancelled.`,
  }

  return (
    <section aria-labelledby="board-heading" className="board-page">
      <h1 id="board-heading">Board: {projectName}</h1>
      <p className="muted">
        Drag a card by its handle (or focus the handle, press Space, move with the arrow keys and press Space again), or
        use its arrow buttons.
      </p>
      {board.isPending && <p aria-busy="true">Loading the board…</p>}
      {board.error && <p role="alert">The board could not be loaded: {describeError(board.error)}</p>}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {(board.data?.length ?? 0) >= BOARD_LIMIT && (
        <p className="banner warning">This board shows its first {BOARD_LIMIT} tasks; the list shows them all.</p>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragEnd={onDragEnd}
        accessibility={{ announcements }}
      >
        <div className="board">
          {STATUSES.map((s) => (
            <BoardColumn key={s.value} status={s.value} label={s.label} tasks={columns[s.value]} onMove={onMove} />
          ))}
        </div>
      </DndContext>
    </section>
  )
}
