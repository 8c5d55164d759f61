import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, type ReactNode, useId, useState } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { ImportParams, Job } from '../api/types.ts'
import { uploadFile } from '../api/upload.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { FormError, SelectField, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { putJob } from './job-cache.ts'
import { dayInput, formatOfFile, reportRange } from './job-text.ts'

/**
 * A form card with its heading as the form's name (so it is a landmark of its own), the error that
 * names no field, and its one button.
 */
function JobForm({
  title,
  children,
  onSubmit,
  formError,
  action,
  pending,
}: {
  title: string
  children: ReactNode
  onSubmit: (e: FormEvent<HTMLFormElement>) => void
  formError: string | null
  action: string
  pending: boolean
}) {
  const id = useId()
  return (
    <form className="stack settings-card" aria-labelledby={id} onSubmit={onSubmit} noValidate>
      <h2 id={id}>{title}</h2>
      {children}
      <FormError message={formError} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {action}
        </button>
      </div>
    </form>
  )
}

/** The team's projects to choose from, every one (an archived project's tasks can still be exported). */
function ProjectField({ error }: { error?: string }) {
  const { projects } = useWorkspace()
  const options = [
    { value: '', label: 'All projects' },
    ...projects.map((p) => ({ value: p.id, label: p.archived ? `${p.name} (archived)` : p.name })),
  ]
  return <SelectField label="Project" name="projectId" options={options} error={error} />
}

/** Puts a job the caller just started at the top of the list, before its event arrives. */
function useStarted() {
  const queryClient = useQueryClient()
  return (job: Job) => putJob(queryClient, job)
}

type Scoped<B> = B & { teamId: string; projectId?: string }

/**
 * An export's or a report's form: the body read from the form (with the team, and the project when
 * one is chosen) posted, the job put on the list, the API's messages shown by field.
 */
function useJobForm<B>(fields: string[], read: (data: FormData) => B, post: (body: Scoped<B>) => Promise<Job>) {
  const { team } = useWorkspace()
  const started = useStarted()
  const errors = useFormErrors(fields)
  const start = useMutation({ mutationFn: post, onSuccess: started, onError: errors.show })
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const data = new FormData(e.currentTarget)
    const projectId = String(data.get('projectId') ?? '')
    errors.clear()
    start.mutate({ ...read(data), teamId: team.id, ...(projectId ? { projectId } : {}) })
  }
  return { errors, form: { onSubmit, formError: errors.formError, pending: start.isPending } }
}

export function ExportForm() {
  const { errors, form } = useJobForm(
    ['format', 'projectId'],
    (data) => ({ format: data.get('format') === 'json' ? ('json' as const) : ('csv' as const) }),
    async (body) => unwrap(await api.POST('/api/v1/exports', { body })),
  )
  return (
    <JobForm title="Export" action="Start export" {...form}>
      <SelectField
        label="Format"
        name="format"
        options={[
          { value: 'csv', label: 'CSV (tasks, for spreadsheets)' },
          { value: 'json', label: 'JSON (everything, to import)' },
        ]}
        error={errors.fieldError('format')}
      />
      <ProjectField error={errors.fieldError('projectId')} />
    </JobForm>
  )
}

export function ReportForm() {
  const { errors, form } = useJobForm(
    ['from', 'to', 'projectId'],
    (data) => reportRange(String(data.get('from')), String(data.get('to'))),
    async (body) => unwrap(await api.POST('/api/v1/reports', { body })),
  )
  return (
    <JobForm title="PDF report" action="Start report" {...form}>
      <p className="muted">The dashboard's figures for a range of days, as a PDF.</p>
      <div className="row">
        <TextField
          label="From"
          name="from"
          type="date"
          required
          defaultValue={dayInput(29)}
          error={errors.fieldError('from')}
        />
        <TextField
          label="To"
          name="to"
          type="date"
          required
          defaultValue={dayInput()}
          error={errors.fieldError('to')}
        />
      </div>
      <ProjectField error={errors.fieldError('projectId')} />
    </JobForm>
  )
}

/** Team admins import a Tasklane JSON export or a CSV; a dry run first checks every row and writes nothing. */
export function ImportForm() {
  const { team } = useWorkspace()
  const started = useStarted()
  const [format, setFormat] = useState<ImportParams['format']>('tasklane')
  const [dryRun, setDryRun] = useState(true)
  const [uploaded, setUploaded] = useState<number | null>(null)
  const errors = useFormErrors(['file', 'format', 'dryRun'])
  const start = useMutation({
    mutationFn: (file: File) =>
      uploadFile<Job>('/api/v1/imports', file, setUploaded, 'POST', {
        teamId: team.id,
        format,
        dryRun: String(dryRun),
      }),
    onSuccess: started,
    onError: errors.show,
    onSettled: () => setUploaded(null),
  })
  if (team.role !== 'owner' && team.role !== 'admin') {
    return (
      <section className="settings-card" aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <p>
          Only the admins and owners of {team.name} can import into it. Ask one of them, or import into a team you
          manage.
        </p>
      </section>
    )
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const file = new FormData(e.currentTarget).get('file')
    errors.clear()
    if (!(file instanceof File) || !file.name) {
      errors.show(new Error('Choose a file to import first.'))
      return
    }
    start.mutate(file)
  }
  return (
    <JobForm
      title="Import"
      onSubmit={submit}
      formError={errors.formError}
      action={dryRun ? 'Check file' : 'Import file'}
      pending={start.isPending}
    >
      <p className="muted">
        A JSON export of Tasklane, or a CSV with the export's columns (only <code>title</code> is needed). One bad row
        and nothing is written.
      </p>
      <TextField
        label="File"
        name="file"
        type="file"
        accept=".json,.csv,application/json,text/csv"
        required
        onChange={(e) => {
          const name = e.currentTarget.files?.[0]?.name
          if (name) setFormat(formatOfFile(name))
        }}
        error={errors.fieldError('file')}
      />
      <SelectField
        label="Format"
        name="format"
        value={format}
        onChange={(e) => setFormat(e.currentTarget.value === 'csv' ? 'csv' : 'tasklane')}
        options={[
          { value: 'tasklane', label: 'Tasklane JSON' },
          { value: 'csv', label: 'CSV' },
        ]}
        error={errors.fieldError('format')}
      />
      <label className="check">
        <input type="checkbox" name="dryRun" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
        Dry run: check every row, write nothing
      </label>
      {uploaded !== null && (
        <p>
          <label>
            Uploading{' '}
            <progress max={1} value={uploaded}>
              {Math.round(uploaded * 100)}%
            </progress>
          </label>
        </p>
      )}
    </JobForm>
  )
}
