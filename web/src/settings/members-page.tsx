import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import type { TeamMember } from '../api/types.ts'
import { useMe } from '../auth/auth.tsx'
import { useMembers } from '../shell/team-data.ts'
import { useWorkspace } from '../shell/workspace.tsx'
import { FormError, SelectField, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { Invitations } from './invitations.tsx'

const ROLES: { value: TeamMember['role']; label: string }[] = [
  { value: 'viewer', label: 'Viewer (reads)' },
  { value: 'member', label: 'Member (writes tasks)' },
  { value: 'admin', label: 'Admin (manages projects, tags, members)' },
  { value: 'owner', label: 'Owner' },
]

/** The team's members and their roles; admins add, change and remove them. */
export default function MembersPage() {
  const { team } = useWorkspace()
  const me = useMe()
  const members = useMembers(team.id)
  const queryClient = useQueryClient()
  const manages = team.role === 'owner' || team.role === 'admin'
  const errors = useFormErrors(['email', 'role'])
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members', team.id] })
  // an invitation adds someone who has an account at once, and emails a link to someone who has not
  const add = useMutation({
    mutationFn: async (body: { email: string; role: TeamMember['role'] }) =>
      unwrap(await api.POST('/api/v1/teams/{id}/invitations', { params: { path: { id: team.id } }, body })),
    onSuccess: (result) => {
      setOutcome(
        result.outcome === 'added'
          ? `${result.member.name} had an account and is now a member.`
          : `An invitation is on its way to ${result.invitation.email}.`,
      )
      void refresh()
      void queryClient.invalidateQueries({ queryKey: ['invitations', team.id] })
    },
    onError: errors.show,
  })
  const [outcome, setOutcome] = useState<string | null>(null)
  const change = useMutation({
    mutationFn: async ({ userId, role }: { userId: string; role: TeamMember['role'] }) =>
      unwrap(
        await api.PATCH('/api/v1/teams/{id}/members/{userId}', {
          params: { path: { id: team.id, userId } },
          body: { role },
        }),
      ),
    onSuccess: refresh,
    onError: errors.show,
  })
  const remove = useMutation({
    mutationFn: async (userId: string) =>
      unwrap(await api.DELETE('/api/v1/teams/{id}/members/{userId}', { params: { path: { id: team.id, userId } } })),
    onSuccess: refresh,
    onError: errors.show,
  })
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const data = new FormData(form)
    errors.clear()
    add.mutate(
      { email: String(data.get('email') ?? ''), role: String(data.get('role')) as TeamMember['role'] },
      { onSuccess: () => form.reset() },
    )
  }
  return (
    <section aria-labelledby="members-heading">
      <p className="muted">Adding an address that has no account yet emails it an invitation.</p>
      <h1 id="members-heading">Members of {team.name}</h1>
      {members.error && <p role="alert">{describeError(members.error)}</p>}
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              {manages && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {members.data?.map((m) => (
              <tr key={m.userId}>
                <th scope="row">
                  {m.name}
                  {m.userId === me.data?.id && ' (you)'}
                </th>
                <td>{m.email}</td>
                <td>
                  {manages ? (
                    <select
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      onChange={(e) => change.mutate({ userId: m.userId, role: e.target.value as TeamMember['role'] })}
                    >
                      {ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                {manages && (
                  <td>
                    <button type="button" onClick={() => remove.mutate(m.userId)}>
                      Remove<span className="visually-hidden"> {m.name}</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {manages ? (
        <>
          <form className="inline-form" onSubmit={submit} noValidate aria-label="Add or invite">
            <TextField
              label="Email of the person to add"
              name="email"
              type="email"
              required
              error={errors.fieldError('email')}
            />
            <SelectField
              label="Role"
              name="role"
              defaultValue="member"
              options={ROLES}
              error={errors.fieldError('role')}
            />
            <button type="submit" className="primary" disabled={add.isPending}>
              Add member
            </button>
          </form>
          {outcome && <p role="status">{outcome}</p>}
          <Invitations teamId={team.id} />
        </>
      ) : (
        <p className="muted">Only the team's admins and owners manage its members.</p>
      )}
      <FormError message={errors.formError} />
    </section>
  )
}
