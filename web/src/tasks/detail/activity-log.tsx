import { useQuery } from '@tanstack/react-query'
import { api } from '../../api/client.ts'
import { unwrap } from '../../api/problem.ts'
import type { ActivityEntry } from '../../api/types.ts'
import { formatWhen } from '../dates.ts'

const VERBS: Record<string, string> = {
  'task.created': 'created the task',
  'task.updated': 'edited',
  'task.status_changed': 'changed the status',
  'task.moved': 'moved the task',
  'comment.created': 'commented',
  'comment.updated': 'edited a comment',
  'comment.deleted': 'deleted a comment',
  'attachment.created': 'attached a file',
  'attachment.updated': 'replaced a file',
  'attachment.deleted': 'removed a file',
}

const show = (value: unknown) =>
  value === null || value === undefined || value === ''
    ? '—'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value)

/** One line of history: who did what, and each field's old → new value. */
export function describeEntry(entry: ActivityEntry): string {
  const who = entry.actor?.name ?? 'Someone'
  const verb = VERBS[entry.action] ?? entry.action
  const created = entry.action.endsWith('.created')
  const changes = Object.entries(entry.changes)
    // a new task is named by its title; a new comment by its text
    .filter(([field]) => !created || field === 'title' || field === 'body')
    .map(([field, { from, to }]) => (created ? show(to) : `${field}: ${show(from)} → ${show(to)}`))
  return changes.length ? `${who} ${verb}: ${changes.join('; ')}` : `${who} ${verb}`
}

/** The task's history, newest first. */
export function ActivityLog({ taskId }: { taskId: string }) {
  const activity = useQuery({
    queryKey: ['activity', { taskId }],
    queryFn: async () => unwrap(await api.GET('/api/v1/activity', { params: { query: { taskId, limit: 50 } } })),
  })
  return (
    <section aria-labelledby="activity-heading">
      <h2 id="activity-heading">History</h2>
      <ol className="activity">
        {activity.data?.items.map((entry) => (
          <li key={entry.id}>
            <span>{describeEntry(entry)}</span>{' '}
            <time className="muted" dateTime={entry.createdAt}>
              {formatWhen(entry.createdAt)}
            </time>
          </li>
        ))}
      </ol>
    </section>
  )
}
