import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api/client.ts'
import { describeError, unwrap } from '../api/problem.ts'
import { useSignedIn } from './auth.tsx'
import { SignUpPage } from './sign-up-page.tsx'

/**
 * The page an invitation email links to (/invitations/accept?token=…): what it offers, then joining
 * as the signed-in person, or creating the invited account.
 */
export function InvitationPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const signedIn = useSignedIn()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: async () => unwrap(await api.POST('/api/v1/invitations/preview', { body: { token } })),
    retry: false,
  })
  const accept = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['teams'] })
      navigate('/tasks')
    },
  })
  if (preview.isPending) return <p aria-busy="true">Loading the invitation…</p>
  if (preview.error) {
    return (
      <main className="auth-page">
        <h1>Invitation</h1>
        <p role="alert">This invitation link is no longer valid: ask for a new one.</p>
        <Link to="/">Go to Tasklane</Link>
      </main>
    )
  }
  const invite = preview.data
  const offer = `${invite.invitedBy ?? 'Someone'} invited ${invite.email} to join ${invite.teamName} as ${invite.role}.`
  if (!signedIn) return <SignUpPage invitation={{ token, email: invite.email, offer }} />
  return (
    <main className="auth-page">
      <h1>Join {invite.teamName}</h1>
      <p>{offer}</p>
      {accept.error && <p role="alert">{describeError(accept.error)}</p>}
      <button type="button" className="primary" onClick={() => accept.mutate()} disabled={accept.isPending}>
        Join the team
      </button>
    </main>
  )
}
