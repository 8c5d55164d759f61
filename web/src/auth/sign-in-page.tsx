import { type FormEvent, useState } from 'react'
import { Link } from 'react-router'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { useAuthActions, useAuthSettings } from './auth.tsx'

export function SignInPage() {
  const { signIn } = useAuthActions()
  const sso = useAuthSettings().data?.sso
  const errors = useFormErrors(['email', 'password'])
  const [busy, setBusy] = useState(false)
  const [challenge, setChallenge] = useState<string | null>(null)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    setBusy(true)
    try {
      const next = await signIn({ email: String(form.get('email')), password: String(form.get('password')) })
      if (next) {
        setChallenge(next.challengeToken)
        setBusy(false)
      }
    } catch (err) {
      errors.show(err)
      setBusy(false)
    }
  }
  if (challenge) return <SecondFactorStep challengeToken={challenge} onRestart={() => setChallenge(null)} />
  return (
    <main className="auth-page">
      <h1>Sign in to Tasklane</h1>
      <form onSubmit={submit} className="stack" noValidate>
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          error={errors.fieldError('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.fieldError('password')}
        />
        <FormError message={errors.formError} />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      {sso && (
        <p>
          {/* a full navigation: the server sets the flow's cookie and sends the browser to the provider */}
          <a className="button-link" href={sso.loginUrl}>
            Sign in with {sso.name}
          </a>
        </p>
      )}
      <p>
        New here? <Link to="/signup">Create account</Link>
      </p>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </main>
  )
}

/** The sign-in's second step: a code of the authenticator app, or one of the recovery codes. */
export function SecondFactorStep({ challengeToken, onRestart }: { challengeToken: string; onRestart: () => void }) {
  const { completeSecondFactor } = useAuthActions()
  const errors = useFormErrors(['code'])
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    setBusy(true)
    try {
      await completeSecondFactor({ challengeToken, code: String(form.get('code')) })
    } catch (err) {
      errors.show(err)
      setBusy(false)
    }
  }
  return (
    <main className="auth-page">
      <h1>Two-factor sign-in</h1>
      <form onSubmit={submit} className="stack" noValidate>
        <TextField
          label="Authentication code"
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          required
          hint="The 6-digit code of your authenticator app, or a recovery code"
          error={errors.fieldError('code')}
        />
        <FormError message={errors.formError} />
        <button type="submit" className="primary" disabled={busy}>
          Verify
        </button>
      </form>
      <p>
        <button type="button" className="link-button" onClick={onRestart}>
          Start over
        </button>
      </p>
    </main>
  )
}
