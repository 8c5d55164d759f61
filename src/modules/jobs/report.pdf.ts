import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib'
import type { Leaderboard, Metrics } from '../dashboard/index.ts'

export interface ReportData {
  team: string
  project: string | null
  from: string
  to: string
  generatedAt: string
  metrics: Metrics
  leaderboard: Leaderboard
  overdue: { title: string; dueAt: string; assignee: string | null }[]
}

const A4 = [595.28, 841.89] as const
const MARGIN = 50
const GREY = rgb(0.4, 0.4, 0.4)
const BLUE = rgb(0.2, 0.4, 0.8)
const GREEN = rgb(0.2, 0.6, 0.3)

// the standard fonts encode WinAnsi only: anything else (CJK, emoji) is shown as '?'
const printable = (s: string) => s.normalize('NFC').replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?')
const day = (iso: string) => iso.slice(0, 10)

/** A PDF of the dashboard for a range: figures, weekly throughput as a bar chart, leaderboard, overdue tasks. */
export async function reportPdf(data: ReportData): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(`Tasklane report: ${printable(data.team)}`)
  doc.setProducer('Tasklane')
  doc.setCreationDate(new Date(data.generatedAt))
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  let page: PDFPage = doc.addPage([...A4])
  let y = A4[1] - MARGIN

  const room = (h: number) => {
    if (y - h >= MARGIN) return
    page = doc.addPage([...A4])
    y = A4[1] - MARGIN
  }
  const text = (
    s: string,
    opts: { size?: number; font?: PDFFont; x?: number; color?: ReturnType<typeof rgb> } = {},
  ) => {
    const size = opts.size ?? 10
    room(size + 4)
    page.drawText(printable(s), {
      x: opts.x ?? MARGIN,
      y: y - size,
      size,
      font: opts.font ?? regular,
      color: opts.color,
    })
    y -= size + 4
  }
  const heading = (s: string) => {
    y -= 8
    text(s, { size: 13, font: bold })
  }
  const row = (cells: string[], widths: number[], font = regular) => {
    room(14)
    let x = MARGIN
    cells.forEach((c, i) => {
      const w = widths[i]!
      let s = printable(c)
      if (font.widthOfTextAtSize(s, 9) > w - 6) {
        while (s.length > 1 && font.widthOfTextAtSize(`${s}...`, 9) > w - 6) s = s.slice(0, -1)
        s = `${s}...`
      }
      page.drawText(s, { x, y: y - 9, size: 9, font })
      x += w
    })
    y -= 13
  }

  const m = data.metrics
  text('Tasklane report', { size: 18, font: bold })
  text(`${data.team}${data.project ? ` / ${data.project}` : ''}`, { size: 12 })
  text(`Range: ${day(data.from)} to ${day(data.to)} (to exclusive)   Generated: ${data.generatedAt}`, { color: GREY })

  heading('Figures')
  const figures: [string, string][] = [
    ['Created in range', String(m.createdInRange)],
    ['Completed in range', String(m.completedInRange)],
    ['Completion rate', `${(m.completionRate * 100).toFixed(1)} %`],
    ['Median cycle time', m.medianCycleTimeHours === null ? 'n/a' : `${m.medianCycleTimeHours} h`],
    ['Overdue', String(m.overdue)],
    ['Due within 7 days', String(m.dueSoon)],
  ]
  for (const [k, v] of figures) row([k, v], [180, 120])
  heading('Tasks by status')
  row(['To do', 'In progress', 'Done', 'Cancelled'], [110, 110, 110, 110], bold)
  row(
    [m.byStatus.todo, m.byStatus.in_progress, m.byStatus.done, m.byStatus.cancelled].map(String),
    [110, 110, 110, 110],
  )
  heading('Tasks by priority')
  row(['Low', 'Medium', 'High', 'Urgent'], [110, 110, 110, 110], bold)
  row([m.byPriority.low, m.byPriority.medium, m.byPriority.high, m.byPriority.urgent].map(String), [110, 110, 110, 110])

  heading('Weekly throughput')
  const weeks = m.weeklyThroughput
  const chartH = 140
  room(chartH + 40)
  const top = Math.max(1, ...weeks.flatMap((w) => [w.created, w.completed]))
  const width = A4[0] - 2 * MARGIN
  const slot = width / Math.max(weeks.length, 1)
  const bar = Math.max(1, Math.min(14, slot / 2 - 2))
  const base = y - chartH
  page.drawLine({ start: { x: MARGIN, y: base }, end: { x: MARGIN + width, y: base }, thickness: 0.5, color: GREY })
  weeks.forEach((w, i) => {
    const x = MARGIN + i * slot + slot / 2 - bar
    const hc = (w.created / top) * (chartH - 20)
    const hd = (w.completed / top) * (chartH - 20)
    page.drawRectangle({ x, y: base, width: bar, height: hc, color: BLUE })
    page.drawRectangle({ x: x + bar, y: base, width: bar, height: hd, color: GREEN })
    if (weeks.length <= 20) {
      page.drawText(String(w.created), { x, y: base + hc + 2, size: 6, font: regular })
      page.drawText(String(w.completed), { x: x + bar, y: base + hd + 2, size: 6, font: regular })
      page.drawText(day(w.weekStart).slice(5), { x, y: base - 9, size: 6, font: regular, color: GREY })
    }
  })
  y = base - 14
  text('Blue: created, green: completed, per week (Monday, UTC)', { size: 8, color: GREY })

  heading('Leaderboard')
  if (!data.leaderboard.items.length) text('No task completed in the range.', { color: GREY })
  else {
    row(['Member', 'Completed', 'On time'], [260, 100, 100], bold)
    for (const e of data.leaderboard.items)
      row([e.user.name, String(e.completed), String(e.completedOnTime)], [260, 100, 100])
  }

  heading(`Overdue tasks (${m.overdue})`)
  if (!data.overdue.length) text('None.', { color: GREY })
  else {
    row(['Task', 'Due', 'Assignee'], [300, 90, 105], bold)
    for (const t of data.overdue) row([t.title, day(t.dueAt), t.assignee ?? '-'], [300, 90, 105])
    if (m.overdue > data.overdue.length) text(`and ${m.overdue - data.overdue.length} more`, { color: GREY })
  }
  return doc.save()
}
