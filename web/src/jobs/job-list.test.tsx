// @vitest-environment happy-dom
import { QueryClientProvider } from '@tanstack/react-query'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Job, Team } from '../api/types.ts'
import { createQueryClient } from '../query-client.ts'

const DELETE = vi.fn()
vi.mock('../api/client.ts', () => ({ api: { DELETE: (...args: unknown[]) => DELETE(...args) } }))
let team = { id: 'team', name: 'Crew', role: 'admin' } as Team
vi.mock('../shell/workspace.tsx', () => ({
  useWorkspace: () => ({ team, projects: [{ id: 'p1', name: 'Launch', archived: false }] }),
}))
const { jobsKey, putJob } = await import('./job-cache.ts')
const { JobList } = await import('./job-list.tsx')
const { ImportForm } = await import('./job-forms.tsx')

const base = { teamId: 'team', projectId: null, createdBy: 'me', error: null, progress: { done: 0, total: 0 } }
const jobs = [
  {
    ...base,
    id: 'j4',
    kind: 'export',
    status: 'running',
    params: { format: 'csv', filter: {} },
    progress: { done: 40, total: 100 },
    result: null,
    createdAt: '2026-03-01T10:00:04.000Z',
  },
  {
    ...base,
    id: 'j3',
    kind: 'import',
    status: 'failed',
    createdBy: 'grace',
    params: { format: 'csv', dryRun: true, filename: 'bad.csv', size: 80 },
    result: {
      created: { projects: 0, tags: 0, tasks: 0, comments: 0 },
      errors: [{ row: 3, path: 'status', message: 'Invalid option: expected one of "todo"|"done"' }],
      dryRun: true,
    },
    error: '1 error in the file: nothing was imported',
    createdAt: '2026-03-01T10:00:03.000Z',
  },
  {
    ...base,
    id: 'j2',
    kind: 'export',
    status: 'done',
    projectId: 'p1',
    params: { format: 'json', filter: {} },
    result: { rows: 3, size: 2048, sha256: 'x', filename: 'tasklane-crew.json' },
    createdAt: '2026-03-01T10:00:02.000Z',
  },
] as Job[]

function show() {
  const client = createQueryClient()
  client.setQueryData(['me'], { id: 'me', name: 'Ada' })
  client.setQueryData(['members', 'team'], [{ userId: 'grace', name: 'Grace Hopper' }])
  client.setQueryData(jobsKey('team'), jobs)
  render(
    <QueryClientProvider client={client}>
      <JobList />
      <ImportForm />
    </QueryClientProvider>,
  )
  return client
}
const item = (name: string) => screen.getByRole('heading', { level: 3, name }).closest('li') as HTMLElement

describe('the job list', () => {
  beforeEach(() => {
    team = { id: 'team', name: 'Crew', role: 'admin' } as Team
    DELETE.mockReset()
  })
  afterEach(cleanup)

  it('shows progress, the file to download, and an import’s refused rows next to it', () => {
    show()
    expect(screen.getByRole('progressbar', { name: 'Progress of CSV export' }).getAttribute('value')).toBe('40')
    const exported = item('JSON export')
    expect(within(exported).getByText(/Launch/)).toBeTruthy()
    expect(within(exported).getByRole('button', { name: /^Download JSON export, tasklane-crew\.json \(2\.0 KB\)$/ }))
    const failed = item('Import of bad.csv (dry run)')
    expect(within(failed).getByText('1 error in the file: nothing was imported')).toBeTruthy()
    expect(within(failed).getByText(/by Grace Hopper/)).toBeTruthy()
    const rows = within(failed)
      .getAllByRole('row')
      .map((r) => [...r.querySelectorAll('td, th')].map((c) => c.textContent))
    expect(rows).toEqual([
      ['Row', 'Field', 'Problem'],
      ['3', 'status', 'Invalid option: expected one of "todo"|"done"'],
    ])
    expect(within(failed).queryByRole('button', { name: /^Download/ })).toBeNull()
  })

  it('says once when a job it shows finishes', async () => {
    const client = show()
    expect(screen.getAllByRole('status').map((s) => s.textContent)).not.toContain('CSV export: Done.')
    act(() =>
      putJob(client, { ...jobs[0]!, status: 'done', result: { rows: 1, size: 5, sha256: 'x', filename: 'a.csv' } }),
    )
    await waitFor(() => expect(screen.getAllByRole('status').map((s) => s.textContent)).toContain('CSV export: Done.'))
  })

  it('deletes a job through the route of its kind and takes it off the list', async () => {
    DELETE.mockResolvedValue({ data: undefined, response: new Response(null, { status: 204 }) })
    show()
    fireEvent.click(screen.getByRole('button', { name: 'Delete JSON export' }))
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'JSON export' })).toBeNull())
    expect(DELETE).toHaveBeenCalledWith('/api/v1/exports/{id}', { params: { path: { id: 'j2' } } })
    expect(screen.getByRole('button', { name: 'Stop and delete CSV export' })).toBeTruthy()
  })
})

describe('the import form', () => {
  afterEach(cleanup)

  it('is offered to team admins: a dry run first, the format taken from the file name', () => {
    team = { id: 'team', name: 'Crew', role: 'admin' } as Team
    show()
    const file = new File(['title\r\nx\r\n'], 'tasks.csv', { type: 'text/csv' })
    fireEvent.change(screen.getByLabelText('File'), { target: { files: [file] } })
    expect((screen.getByRole('combobox', { name: 'Format' }) as HTMLSelectElement).value).toBe('csv')
    expect(screen.getByRole('button', { name: 'Check file' })).toBeTruthy()
    fireEvent.click(screen.getByRole('checkbox', { name: /Dry run/ }))
    expect(screen.getByRole('button', { name: 'Import file' })).toBeTruthy()
  })

  it('is not offered to members, who are told who can import', () => {
    team = { id: 'team', name: 'Crew', role: 'member' } as Team
    show()
    expect(screen.queryByLabelText('File')).toBeNull()
    expect(screen.getByText(/Only the admins and owners of Crew can import/)).toBeTruthy()
  })
})
