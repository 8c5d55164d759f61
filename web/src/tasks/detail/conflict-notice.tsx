import { useEffect, useRef } from 'react'
import { priorityLabel, statusLabel, type Task } from '../../api/types.ts'
import { formatWhen } from '../dates.ts'
import { type Draft, draftOf } from './draft.ts'

const LABELS: Partial<Record<keyof Draft, string>> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  dueAt: 'Due',
  assigneeId: 'Assignee',
  recurrence: 'Repeats',
}

/** A save lost a race (412): what the task is now, beside what the person wrote, and the two ways on. */
export function ConflictNotice({
  mine,
  current,
  onDiscard,
  onOverwrite,
}: {
  mine: Draft
  current: Task
  onDiscard(): void
  onOverwrite(): void
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => ref.current?.focus(), [])
  const theirs = draftOf(current)
  const differing = (Object.keys(LABELS) as (keyof Draft)[]).filter((k) => String(mine[k]) !== String(theirs[k]))
  const show = (key: keyof Draft, draft: Draft, task?: Task) => {
    if (key === 'status') return statusLabel(draft.status)
    if (key === 'priority') return priorityLabel(draft.priority)
    if (key === 'assigneeId') return task ? (task.assignee?.name ?? 'Nobody') : draft.assigneeId ? 'changed' : 'Nobody'
    return String(draft[key]) || '—'
  }
  return (
    <div className="banner conflict" role="alert" tabIndex={-1} ref={ref}>
      <h2>This task changed elsewhere</h2>
      <p>
        Someone saved it at {formatWhen(current.updatedAt)} while you were editing. Your changes were not saved. The
        current version:
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Current version</th>
            <th scope="col">Yours</th>
          </tr>
        </thead>
        <tbody>
          {differing.map((key) => (
            <tr key={key}>
              <th scope="row">{LABELS[key]}</th>
              <td>{show(key, theirs, current)}</td>
              <td>{show(key, mine)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" onClick={onDiscard}>
          Use the current version
        </button>
        <button type="button" className="primary" onClick={onOverwrite}>
          Save mine over it
        </button>
      </div>
    </div>
  )
}
