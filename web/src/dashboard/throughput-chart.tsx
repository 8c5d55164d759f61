import type { DashboardMetrics } from '../api/types.ts'

type Week = DashboardMetrics['weeklyThroughput'][number]

const W = 640
const H = 220
const PAD = { top: 12, right: 8, bottom: 28, left: 32 }
const weekLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })

/** The scale's top: a round number at or above the largest bar, so the gridlines read well. */
function niceMax(value: number): number {
  if (value <= 4) return 4
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

/** Weekly created and completed tasks as grouped bars (plain SVG), with the same figures as a table. */
export function ThroughputChart({ weeks }: { weeks: Week[] }) {
  const max = niceMax(Math.max(0, ...weeks.flatMap((w) => [w.created, w.completed])))
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const band = plotW / Math.max(1, weeks.length)
  const bar = Math.min(18, band / 2.6)
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH
  const ticks = [0, max / 2, max]
  const summary = weeks.length
    ? `Created and completed tasks per week over ${weeks.length} weeks; at most ${Math.max(...weeks.map((w) => w.created))} created and ${Math.max(...weeks.map((w) => w.completed))} completed in a week.`
    : 'No weeks in this range.'
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="axis">
              {t}
            </text>
          </g>
        ))}
        {weeks.map((w, i) => {
          const x = PAD.left + i * band + band / 2
          return (
            <g key={w.weekStart}>
              <rect x={x - bar - 1} y={y(w.created)} width={bar} height={y(0) - y(w.created)} className="bar-created">
                <title>{`${w.created} created`}</title>
              </rect>
              <rect x={x + 1} y={y(w.completed)} width={bar} height={y(0) - y(w.completed)} className="bar-completed">
                <title>{`${w.completed} completed`}</title>
              </rect>
              {(weeks.length <= 8 || i % Math.ceil(weeks.length / 8) === 0) && (
                <text x={x} y={H - 8} textAnchor="middle" className="axis">
                  {weekLabel.format(new Date(w.weekStart))}
                </text>
              )}
            </g>
          )
        })}
      </svg>
      <figcaption>
        <span className="legend legend-created">Created</span>{' '}
        <span className="legend legend-completed">Completed</span>
      </figcaption>
      <details>
        <summary>Weekly figures as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Created</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.weekStart}>
                <th scope="row">{weekLabel.format(new Date(w.weekStart))}</th>
                <td>{w.created}</td>
                <td>{w.completed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
