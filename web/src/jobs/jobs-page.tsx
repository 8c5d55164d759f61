import { useWorkspace } from '../shell/workspace.tsx'
import { ExportForm, ImportForm, ReportForm } from './job-forms.tsx'
import { JobList } from './job-list.tsx'

/** Exports, imports and reports of the current team: start one, watch it run, download what it made. */
export default function JobsPage() {
  const { team } = useWorkspace()
  return (
    <section aria-labelledby="jobs-page-heading">
      <h1 id="jobs-page-heading">Import, export and reports of {team.name}</h1>
      <div className="job-forms">
        <ExportForm />
        <ReportForm />
        <ImportForm />
      </div>
      <JobList />
    </section>
  )
}
