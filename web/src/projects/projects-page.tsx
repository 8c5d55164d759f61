import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import type { Project } from '../api/types.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { CreateForm } from '../ui/create-form.tsx'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

/** The team's projects: create, rename, archive and restore (managing them needs the team's admin role). */
export default function ProjectsPage() {
  const { team } = useWorkspace()
  const queryClient = useQueryClient()
  const all = useQuery({
    queryKey: ['projects', team.id, 'all'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/projects', { params: { query: { teamId: team.id, limit: 100 } } })).items,
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['projects', team.id] })
  const active = all.data?.filter((p) => !p.archived) ?? []
  const archived = all.data?.filter((p) => p.archived) ?? []
  return (
    <section aria-labelledby="projects-heading">
      <h1 id="projects-heading">Projects of {team.name}</h1>
      <CreateForm
        label="New project name"
        submit="Create project"
        create={async (name) => unwrap(await api.POST('/api/v1/projects', { body: { teamId: team.id, name } }))}
        onCreated={() => void refresh()}
      />
      {all.error && <p role="alert">{describeError(all.error)}</p>}
      <h2>Active</h2>
      <ul className="plain-list">
        {active.map((p) => (
          <ProjectRow key={p.id} project={p} onChanged={refresh} />
        ))}
      </ul>
      {archived.length > 0 && (
        <>
          <h2>Archived</h2>
          <ul className="plain-list">
            {archived.map((p) => (
              <ProjectRow key={p.id} project={p} onChanged={refresh} />
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

function ProjectRow({ project, onChanged }: { project: Project; onChanged: () => void }) {
  const [editing, setEditing] = useState(false)
  const errors = useFormErrors(['name'])
  const update = useMutation({
    mutationFn: async (body: { name?: string; archived?: boolean }) =>
      unwrap(
        await api.PATCH('/api/v1/projects/{id}', {
          params: { path: { id: project.id }, header: { 'if-match': `"${project.version}"` } },
          body,
        }),
      ),
    onSuccess: () => {
      setEditing(false)
      onChanged()
    },
    onError: errors.show,
  })
  if (editing) {
    return (
      <li>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault()
            update.mutate({ name: String(new FormData(e.currentTarget).get('name') ?? '') })
          }}
        >
          <TextField
            label={`Rename ${project.name}`}
            name="name"
            defaultValue={project.name}
            autoFocus
            error={errors.fieldError('name')}
          />
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <FormError message={errors.formError} />
        </form>
      </li>
    )
  }
  return (
    <li className="project-row">
      <span>{project.name}</span>
      <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${project.name}`}>
        Rename
      </button>
      <button
        type="button"
        onClick={() => update.mutate({ archived: !project.archived })}
        aria-label={`${project.archived ? 'Restore' : 'Archive'} ${project.name}`}
      >
        {project.archived ? 'Restore' : 'Archive'}
      </button>
      <FormError message={errors.formError} />
    </li>
  )
}
