import { describe, expect, it } from 'vitest'
import type { Job } from '../api/types.ts'
import { dayInput, formatOfFile, jobState, jobTitle, reportRange } from './job-text.ts'

const job = (over: Partial<Job>) =>
  ({ status: 'queued', progress: { done: 0, total: 0 }, result: null, ...over }) as Job

describe('job text', () => {
  it('names a job by what was asked', () => {
    expect(jobTitle(job({ kind: 'export', params: { format: 'json', filter: {} } }))).toBe('JSON export')
    expect(jobTitle(job({ kind: 'export', params: { format: 'csv', filter: {} } }))).toBe('CSV export')
    expect(
      jobTitle(job({ kind: 'import', params: { format: 'csv', dryRun: true, filename: 'tasks.csv', size: 9 } })),
    ).toBe('Import of tasks.csv (dry run)')
    const report = jobTitle(
      job({ kind: 'report', params: { from: '2026-03-01T10:00:00Z', to: '2026-03-07T10:00:00Z' } }),
    )
    expect(report).toMatch(/^PDF report, .*2026/)
  })

  it('says how far a job is, and what an import made or would make', () => {
    expect(jobState(job({ status: 'running', progress: { done: 1, total: 3 } }))).toBe('Running: 33%')
    expect(jobState(job({ status: 'running' }))).toBe('Running')
    const created = { projects: 1, tags: 2, tasks: 1, comments: 0 }
    expect(jobState(job({ status: 'done', result: { created, errors: [], dryRun: true } }))).toBe(
      'Checked: the file is fine and would create 1 task, 1 project, 2 tags, 0 comments',
    )
    expect(jobState(job({ status: 'done', result: { created, errors: [], dryRun: false } }))).toBe(
      'Imported 1 task, 1 project, 2 tags, 0 comments',
    )
    expect(jobState(job({ status: 'done', result: { rows: 3, size: 10, sha256: 'x', filename: 'a.csv' } }))).toBe(
      'Done',
    )
  })

  it("turns a report's days into instants covering both whole days here", () => {
    const { from, to } = reportRange('2026-03-01', '2026-03-07')
    expect(new Date(from).getDate()).toBe(1)
    expect(new Date(from).getHours()).toBe(0)
    expect(new Date(to).getDate()).toBe(7)
    expect(new Date(to).getHours()).toBe(23)
    expect(Date.parse(to) - Date.parse(from)).toBeGreaterThan(6 * 86_400_000)
    expect(dayInput(1, new Date(2026, 2, 1, 12))).toBe('2026-02-28')
  })

  it('guesses the import format from the file name', () => {
    expect(formatOfFile('Tasks.CSV')).toBe('csv')
    expect(formatOfFile('tasklane-team-2026-03-01.json')).toBe('tasklane')
  })
})
