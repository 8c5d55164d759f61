import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { Explorer } from './explorer.tsx'
import { ThroughputChart } from './throughput-chart.tsx'

const RANGES = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last year' },
]

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 })
const hours = (h: number | null) => (h === null ? '—' : h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`)

export default function DashboardPage() {
  const { team, projects } = useWorkspace()
  const [days, setDays] = useState(30)
  const [projectId, setProjectId] = useState('')
  // the range ends now at each fetch (no `to`): a refetch after a live event counts what just happened
  const since = () => ({ from: new Date(Date.now() - days * 86_400_000).toISOString() })
  const metrics = useQuery({
    queryKey: ['dashboard', team.id, 'metrics', { days, projectId }],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/dashboard/metrics', {
          params: { query: { teamId: team.id, ...(projectId ? { projectId } : {}), ...since() } },
        }),
      ),
  })
  const leaderboard = useQuery({
    queryKey: ['dashboard', team.id, 'leaderboard', { days }],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/dashboard/leaderboard', {
          params: { query: { teamId: team.id, ...since(), limit: 10 } },
        }),
      ),
  })
  const m = metrics.data
  return (
    <section aria-labelledby="dashboard-heading" className="dashboard">
      <h1 id="dashboard-heading">Dashboard: {team.name}</h1>
      <div className="inline-form">
        <label>
          <span>Range </span>
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r.days} value={r.days}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Project </span>
          <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">All projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">
        <Link to="/import-export">Make a PDF report</Link> of these figures for any range of days.
      </p>
      {metrics.error && <p role="alert">The figures could not be loaded: {describeError(metrics.error)}</p>}
      {m && (
        <>
          <dl className="figures">
            <Figure label="Completion rate" value={percent.format(m.completionRate)} />
            <Figure label="To do" value={m.byStatus.todo} />
            <Figure label="In progress" value={m.byStatus.in_progress} />
            <Figure label="Done" value={m.byStatus.done} />
            <Figure label="Overdue" value={m.overdue} />
            <Figure label="Due within 7 days" value={m.dueSoon} />
            <Figure label="Created in range" value={m.createdInRange} />
            <Figure label="Completed in range" value={m.completedInRange} />
            <Figure label="Median cycle time" value={hours(m.medianCycleTimeHours)} />
          </dl>
          <h2>By priority</h2>
          <dl className="figures small">
            <Figure label="Urgent" value={m.byPriority.urgent} />
            <Figure label="High" value={m.byPriority.high} />
            <Figure label="Medium" value={m.byPriority.medium} />
            <Figure label="Low" value={m.byPriority.low} />
          </dl>
          <h2>Weekly throughput</h2>
          <ThroughputChart weeks={m.weeklyThroughput} />
        </>
      )}
      <h2>Leaderboard</h2>
      {leaderboard.data?.items.length === 0 && <p className="muted">Nobody completed a task in this range.</p>}
      {!!leaderboard.data?.items.length && (
        <table className="leaderboard">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Member</th>
              <th scope="col">Completed</th>
              <th scope="col">On time</th>
            </tr>
          </thead>
          <tbody>
            {leaderboard.data.items.map((row, i) => (
              <tr key={row.user.id}>
                <td>{i + 1}</td>
                <th scope="row">{row.user.name}</th>
                <td>{row.completed}</td>
                <td>{row.completedOnTime}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Explorer teamId={team.id} days={days} />
    </section>
  )
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}
