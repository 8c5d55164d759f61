import { type FormEvent, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { useAuthActions, useAuthSettings } from './auth.tsx'

/** Creating an account; with an invitation (from its link), for the invited address. */
export function SignUpPage({ invitation }: { invitation?: { token: string; email: string; offer: string } } = {}) {
  const { signUp } = useAuthActions()
  const settings = useAuthSettings(!invitation)
  const policy = invitation ? 'open' : settings.data?.registration
  const errors = useFormErrors(['name', 'email', 'password'])
  const [busy, setBusy] = useState(false)
  const [verifying, setVerifying] = useState<string | null>(null)
  const navigate = useNavigate()
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    setBusy(true)
    try {
      const email = String(form.get('email'))
      const signedIn = await signUp({
        name: String(form.get('name')),
        email: String(form.get('email')),
        password: String(form.get('password')),
        ...(invitation ? { invitationToken: invitation.token } : {}),
      })
      if (!signedIn) setVerifying(email)
      // the invitation is spent by the registration, which made them a member: into the app, rather
      // than back to the link's page (which would now find the link used)
      else if (invitation) navigate('/tasks', { replace: true })
    } catch (err) {
      errors.show(err)
      setBusy(false)
    }
  }
  return (
    <main className="auth-page">
      <h1>Create your Tasklane account</h1>
      {verifying && (
        <p role="status" className="banner warning">
          Almost there: open the link we sent to {verifying} to verify the address, then <Link to="/">sign in</Link>.
        </p>
      )}
      {invitation && <p>{invitation.offer}</p>}
      {policy === 'invite' && (
        <p className="banner warning">
          This server takes new accounts by invitation: use the link from your invitation email.
        </p>
      )}
      {policy === 'closed' && (
        <p className="banner warning">This server does not take new accounts: an administrator creates them.</p>
      )}
      <form onSubmit={submit} className="stack" noValidate>
        <TextField label="Name" name="name" autoComplete="name" required error={errors.fieldError('name')} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          error={errors.fieldError('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters, not a common password."
          error={errors.fieldError('password')}
        />
        <FormError message={errors.formError} />
        <button type="submit" className="primary" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <Link to="/">Sign in</Link>
      </p>
    </main>
  )
}
