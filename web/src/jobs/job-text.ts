import type { ExportParams, ImportParams, ImportResult, Job, ReportParams } from '../api/types.ts'

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

/** What a job is, in a few words: "CSV export", "Import of tasks.csv (dry run)", "PDF report, 1–7 Dec". */
export function jobTitle(job: Pick<Job, 'kind' | 'params'>): string {
  if (job.kind === 'export') return (job.params as ExportParams).format === 'json' ? 'JSON export' : 'CSV export'
  if (job.kind === 'import') {
    const p = job.params as ImportParams
    return `Import of ${p.filename}${p.dryRun ? ' (dry run)' : ''}`
  }
  const { from, to } = job.params as ReportParams
  return `PDF report, ${day.formatRange(new Date(from), new Date(to))}`
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** What an import made, or (dry run) would make: "3 tasks, 1 project, 2 tags, 0 comments". */
function importCounts(result: ImportResult): string {
  const { tasks, projects, tags, comments } = result.created
  return [plural(tasks, 'task'), plural(projects, 'project'), plural(tags, 'tag'), plural(comments, 'comment')].join(
    ', ',
  )
}

export const isImportResult = (result: Job['result']): result is ImportResult => !!result && 'created' in result

/** The job's state in words, as the list and the screen reader's announcement say it. */
export function jobState(job: Pick<Job, 'status' | 'progress' | 'result'>): string {
  switch (job.status) {
    case 'queued':
      return 'Waiting to start'
    case 'running':
      return job.progress.total > 0 ? `Running: ${percent(job.progress)}%` : 'Running'
    case 'done':
      if (isImportResult(job.result)) {
        return job.result.dryRun
          ? `Checked: the file is fine and would create ${importCounts(job.result)}`
          : `Imported ${importCounts(job.result)}`
      }
      return 'Done'
    case 'failed':
      return 'Failed'
  }
}

export const percent = ({ done, total }: Job['progress']) =>
  total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0

export const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`

/** The instants a report's date inputs name: from the start of the first day to the end of the last, here. */
export function reportRange(fromDay: string, toDay: string): { from: string; to: string } {
  return {
    from: new Date(`${fromDay}T00:00:00`).toISOString(),
    to: new Date(`${toDay}T23:59:59.999`).toISOString(),
  }
}

/** A date input's value (YYYY-MM-DD) for a day this many days before today, in this browser's zone. */
export function dayInput(daysAgo = 0, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** The import format a file's name suggests (a CSV, else a Tasklane JSON export). */
export const formatOfFile = (name: string): ImportParams['format'] =>
  name.toLowerCase().endsWith('.csv') ? 'csv' : 'tasklane'
