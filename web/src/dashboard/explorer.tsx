import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'

const GROUPS = [
  { value: 'status', label: 'Status' },
  { value: 'priority', label: 'Priority' },
  { value: 'assignee', label: 'Assignee' },
  { value: 'project', label: 'Project' },
  { value: 'tag', label: 'Tag' },
] as const
type GroupBy = (typeof GROUPS)[number]['value']

/** Task counts grouped one way or another, as labelled bars. */
export function Explorer({ teamId, days }: { teamId: string; days: number }) {
  const [groupBy, setGroupBy] = useState<GroupBy>('status')
  const explorer = useQuery({
    queryKey: ['dashboard', teamId, 'explorer', { groupBy, days }],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/dashboard/explorer', {
          params: { query: { teamId, groupBy, from: new Date(Date.now() - days * 86_400_000).toISOString() } },
        }),
      ),
  })
  const items = explorer.data?.items ?? []
  const max = Math.max(1, ...items.map((i) => i.count))
  return (
    <section aria-labelledby="explorer-heading">
      <h2 id="explorer-heading">Explorer</h2>
      <label>
        <span>Group tasks by </span>
        <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
          {GROUPS.map((g) => (
            <option key={g.value} value={g.value}>
              {g.label}
            </option>
          ))}
        </select>
      </label>
      <ul className="explorer">
        {items.map((item) => (
          <li key={item.key ?? 'none'}>
            <span className="explorer-label">{item.label}</span>
            <span className="explorer-bar" style={{ width: `${(item.count / max) * 100}%` }} aria-hidden="true" />
            <span className="explorer-count">{item.count}</span>
          </li>
        ))}
      </ul>
      {explorer.isSuccess && items.length === 0 && <p className="muted">No tasks in this range.</p>}
    </section>
  )
}
