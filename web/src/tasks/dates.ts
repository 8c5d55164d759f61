import type { Task } from '../api/types.ts'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export const formatDue = (iso: string) => dateFormat.format(new Date(iso))
export const formatWhen = (iso: string) => dateTimeFormat.format(new Date(iso))

export const isOverdue = (task: Pick<Task, 'dueAt' | 'status'>, now = Date.now()) =>
  !!task.dueAt && new Date(task.dueAt).getTime() < now && task.status !== 'done' && task.status !== 'cancelled'

/** The value of a datetime-local input for an instant, in this browser's time zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The instant a datetime-local input names, or null when it is empty. */
export const fromLocalInput = (value: string): string | null => (value ? new Date(value).toISOString() : null)
