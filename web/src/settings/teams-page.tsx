import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { Team } from '../api/types.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { CreateForm } from '../ui/create-form.tsx'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

/** The caller's teams with their role in each: open one, or create a team (its creator is its owner; its first stop is its projects). */
export default function TeamsPage() {
  const { team: current, teams, selectTeam } = useWorkspace()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const open = (id: string, page = '/tasks') => {
    selectTeam(id)
    navigate(page)
  }
  return (
    <section aria-labelledby="teams-heading">
      <h1 id="teams-heading">Your teams</h1>
      <CreateForm
        label="New team name"
        submit="Create team"
        create={async (name) => unwrap(await api.POST('/api/v1/teams', { body: { name } }))}
        onCreated={async (team) => {
          await queryClient.invalidateQueries({ queryKey: ['teams'] })
          // a new team has no project yet, and tasks live in projects: its first stop is making one
          open(team.id, '/projects')
        }}
      />
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col">Your role</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {teams.map((t) => (
            <TeamRow key={t.id} team={t} shown={t.id === current.id} onOpen={() => open(t.id)} />
          ))}
        </tbody>
      </table>
    </section>
  )
}

/**
 * A team: open it; rename it (its admins); delete it with everything in it (its owners, never a
 * personal team), after a second, explicit click.
 */
function TeamRow({ team, shown, onOpen }: { team: Team; shown: boolean; onOpen: () => void }) {
  const queryClient = useQueryClient()
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view')
  const errors = useFormErrors(['name'])
  const done = () => {
    setMode('view')
    void queryClient.invalidateQueries({ queryKey: ['teams'] })
  }
  // a team's ETag names its version and the caller's role in it (the API's teamEtag)
  const ifMatch = { 'if-match': `"${team.version}-${team.role ?? 'none'}"` }
  const rename = useMutation({
    mutationFn: async (name: string) =>
      unwrap(
        await api.PATCH('/api/v1/teams/{id}', { params: { path: { id: team.id }, header: ifMatch }, body: { name } }),
      ),
    onSuccess: done,
    onError: errors.show,
  })
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(await api.DELETE('/api/v1/teams/{id}', { params: { path: { id: team.id }, header: ifMatch } })),
    onSuccess: done,
    onError: errors.show,
  })
  const admin = team.role === 'owner' || team.role === 'admin'
  return (
    <tr>
      <th scope="row">
        {mode === 'rename' ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault()
              errors.clear()
              rename.mutate(String(new FormData(e.currentTarget).get('name') ?? ''))
            }}
          >
            <TextField
              label={`Rename ${team.name}`}
              name="name"
              defaultValue={team.name}
              autoFocus
              error={errors.fieldError('name')}
            />
            <button type="submit" className="primary" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </form>
        ) : (
          team.name
        )}
        {team.personal && <span className="muted"> (personal)</span>}
      </th>
      <td>{team.role ?? 'admin of the instance'}</td>
      <td>
        {mode === 'delete' ? (
          <p role="alert">
            Delete {team.name} with all its projects, tasks, notes shared with it and files?{' '}
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete {team.name} for good
            </button>{' '}
            <button type="button" onClick={() => setMode('view')}>
              Keep it
            </button>
          </p>
        ) : (
          <>
            {shown ? (
              <span className="muted">shown now</span>
            ) : (
              <button type="button" onClick={onOpen} aria-label={`Open ${team.name}`}>
                Open
              </button>
            )}{' '}
            {admin && mode === 'view' && (
              <button type="button" onClick={() => setMode('rename')} aria-label={`Rename ${team.name}`}>
                Rename
              </button>
            )}{' '}
            {team.role === 'owner' && !team.personal && (
              <button type="button" onClick={() => setMode('delete')} aria-label={`Delete ${team.name}`}>
                Delete
              </button>
            )}
          </>
        )}
        <FormError message={errors.formError} />
      </td>
    </tr>
  )
}
