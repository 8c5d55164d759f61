import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { describeError } from '../api/problem.ts'
import type { ImportResult, Job } from '../api/types.ts'
import { downloadFile } from '../api/upload.ts'
import { useMe } from '../auth/auth.tsx'
import { useMembers } from '../shell/team-data.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { formatWhen } from '../tasks/dates.ts'
import { deleteJob, downloadUrl, dropJob, jobsQuery } from './job-cache.ts'
import { bytes, isImportResult, jobState, jobTitle, percent } from './job-text.ts'

/**
 * The team's exports, imports and reports, newest first, kept current by the event stream (their
 * creator's events: an admin sees other people's jobs as they were when the list loaded).
 */
export function JobList() {
  const { team } = useWorkspace()
  const jobs = useQuery(jobsQuery(team.id))
  const admin = team.role === 'owner' || team.role === 'admin'
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      <p className="muted">
        {admin ? "Everyone's jobs in this team" : 'The jobs you started in this team'}; files are kept for 7 days.
      </p>
      {jobs.isPending && <p aria-busy="true">Loading…</p>}
      {jobs.error && <p role="alert">The jobs could not be loaded: {describeError(jobs.error)}</p>}
      {jobs.data?.length === 0 && <p>No exports, imports or reports yet.</p>}
      {!!jobs.data?.length && (
        <ul className="plain-list jobs">
          {jobs.data.map((job) => (
            <JobItem key={job.id} job={job} />
          ))}
        </ul>
      )}
      <Announcer jobs={jobs.data} />
    </section>
  )
}

function JobItem({ job }: { job: Job }) {
  const { team, projects } = useWorkspace()
  const queryClient = useQueryClient()
  const me = useMe()
  const members = useMembers(team.id, job.createdBy !== me.data?.id)
  const [error, setError] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: () => deleteJob(job),
    onSuccess: () => dropJob(queryClient, job.id),
    onError: (err) => setError(describeError(err)),
  })
  const title = jobTitle(job)
  const project = job.projectId ? projects.find((p) => p.id === job.projectId)?.name : undefined
  const by = job.createdBy === me.data?.id ? null : members.data?.find((m) => m.userId === job.createdBy)?.name
  const file = job.status === 'done' && job.result && 'filename' in job.result ? job.result : null
  const download = () => {
    if (!file) return
    setError(null)
    downloadFile(downloadUrl(job), file.filename).catch((err) => setError(describeError(err)))
  }
  return (
    <li className="settings-card job" data-status={job.status}>
      <h3>{title}</h3>
      <p className="muted">
        {formatWhen(job.createdAt)}
        {project && ` · ${project}`}
        {by && ` · by ${by}`}
      </p>
      <p className={`job-state ${job.status}`}>
        {jobState(job)}
        {job.status === 'running' && job.progress.total > 0 && (
          <>
            {' '}
            <progress aria-label={`Progress of ${title}`} max={100} value={percent(job.progress)} />
          </>
        )}
      </p>
      {job.status === 'failed' && <p className="form-error">{job.error ?? 'The job failed.'}</p>}
      {job.status === 'failed' && isImportResult(job.result) && job.result.errors.length > 0 && (
        <ImportErrors title={title} errors={job.result.errors} />
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <div className="actions">
        {file && (
          <button type="button" className="primary" onClick={download}>
            Download<span className="visually-hidden"> {title},</span> {file.filename} ({bytes(file.size)})
          </button>
        )}
        <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
          {job.status === 'queued' || job.status === 'running' ? 'Stop and delete' : 'Delete'}
          <span className="visually-hidden"> {title}</span>
        </button>
      </div>
    </li>
  )
}

/** The rows and fields an import refused, as the API lists them (at most 100). */
function ImportErrors({ title, errors }: { title: string; errors: ImportResult['errors'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table import-errors">
        <caption className="visually-hidden">Problems in the file of {title}</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Field</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr key={`${e.row}:${e.path}:${e.message}`}>
              <td>{e.row > 0 ? e.row : 'the file'}</td>
              <td>{e.row > 0 ? e.path : '—'}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** Says, once, when a job on the list finishes or fails (not every step of its progress). */
function Announcer({ jobs }: { jobs: Job[] | undefined }) {
  const seen = useRef(new Map<string, Job['status']>())
  const [message, setMessage] = useState('')
  useEffect(() => {
    const finished: string[] = []
    for (const job of jobs ?? []) {
      const before = seen.current.get(job.id)
      const ended = job.status === 'done' || job.status === 'failed'
      if (ended && before && before !== job.status) finished.push(`${jobTitle(job)}: ${jobState(job)}.`)
      seen.current.set(job.id, job.status)
    }
    if (finished.length) setMessage(finished.join(' '))
  }, [jobs])
  return (
    <p role="status" className="visually-hidden">
      {message}
    </p>
  )
}
