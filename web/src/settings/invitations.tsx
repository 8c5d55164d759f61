import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import { formatWhen } from '../tasks/dates.ts'

/** The team's open invitations: resend a fresh link, or revoke. */
export function Invitations({ teamId }: { teamId: string }) {
  const queryClient = useQueryClient()
  const key = ['invitations', teamId]
  const invitations = useQuery({
    queryKey: key,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/teams/{id}/invitations', { params: { path: { id: teamId }, query: { limit: 100 } } }),
      ).items,
  })
  const path = (invitationId: string) => ({ params: { path: { id: teamId, invitationId } } })
  const resend = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/teams/{id}/invitations/{invitationId}/resend', path(id))),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  })
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.DELETE('/api/v1/teams/{id}/invitations/{invitationId}', path(id))),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  })
  if (!invitations.data?.length) return null
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Open invitations</h2>
      <ul className="plain-list">
        {invitations.data.map((i) => (
          <li key={i.id} className="project-row">
            <span>
              {i.email} as {i.role} · {i.status === 'expired' ? 'expired' : `valid until ${formatWhen(i.expiresAt)}`}
            </span>
            <button type="button" onClick={() => resend.mutate(i.id)}>
              Resend<span className="visually-hidden"> to {i.email}</span>
            </button>
            <button type="button" onClick={() => revoke.mutate(i.id)}>
              Revoke<span className="visually-hidden"> the invitation of {i.email}</span>
            </button>
          </li>
        ))}
      </ul>
      {(resend.error || revoke.error) && <p role="alert">{describeError(resend.error ?? revoke.error)}</p>}
    </section>
  )
}
