import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

/** The caller's teams with their role in each: open one, or create a team (its creator is its owner; its first stop is its projects). */
export default function TeamsPage() {
  const { team: current, teams, selectTeam } = useWorkspace()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const errors = useFormErrors(['name'])
  const open = (id: string, page = '/tasks') => {
    selectTeam(id)
    navigate(page)
  }
  const create = useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/api/v1/teams', { body: { name } })),
    onSuccess: async (team) => {
      await queryClient.invalidateQueries({ queryKey: ['teams'] })
      // a new team has no project yet, and tasks live in projects: its first stop is making one
      open(team.id, '/projects')
    },
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    errors.clear()
    create.mutate(String(new FormData(e.currentTarget).get('name') ?? ''))
  }
  return (
    <section aria-labelledby="teams-heading">
      <h1 id="teams-heading">Your teams</h1>
      <form onSubmit={submit} className="inline-form" noValidate>
        <TextField label="New team name" name="name" required maxLength={200} error={errors.fieldError('name')} />
        <button type="submit" className="primary" disabled={create.isPending}>
          Create team
        </button>
        <FormError message={errors.formError} />
      </form>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col">Your role</th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {teams.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                {t.name}
                {t.personal && <span className="muted"> (personal)</span>}
              </th>
              <td>{t.role ?? 'admin of the instance'}</td>
              <td>
                {t.id === current.id ? (
                  <span className="muted">shown now</span>
                ) : (
                  <button type="button" onClick={() => open(t.id)} aria-label={`Open ${t.name}`}>
                    Open
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
