import { type FormEvent, useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

/** Asks for a reset link by email; says the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const errors = useFormErrors(['email'])
  const [sent, setSent] = useState(false)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    errors.clear()
    try {
      unwrap(
        await api.POST('/api/v1/auth/password-reset', {
          body: { email: String(new FormData(e.currentTarget).get('email')) },
        }),
      )
      setSent(true)
    } catch (err) {
      errors.show(err)
    }
  }
  return (
    <main className="auth-page">
      <h1>Reset your password</h1>
      {sent ? (
        <p role="status">
          If an account uses this address, an email with a link to choose a new password is on its way.
        </p>
      ) : (
        <form onSubmit={submit} className="stack" noValidate>
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={errors.fieldError('email')}
          />
          <FormError message={errors.formError} />
          <button type="submit" className="primary">
            Send the link
          </button>
        </form>
      )}
      <p>
        <Link to="/">Back to sign in</Link>
      </p>
    </main>
  )
}

/** The page the reset email links to (/reset-password?token=…): chooses the new password. */
export function ResetPasswordPage() {
  const [params] = useSearchParams()
  const errors = useFormErrors(['password', 'token'])
  const [done, setDone] = useState(false)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    errors.clear()
    try {
      unwrap(
        await api.POST('/api/v1/auth/password-reset/confirm', {
          body: { token: params.get('token') ?? '', password: String(new FormData(e.currentTarget).get('password')) },
        }),
      )
      setDone(true)
    } catch (err) {
      errors.show(err)
    }
  }
  return (
    <main className="auth-page">
      <h1>Choose a new password</h1>
      {done ? (
        <p role="status">
          Your password is changed. <Link to="/">Sign in</Link> with it.
        </p>
      ) : (
        <form onSubmit={submit} className="stack" noValidate>
          <TextField
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            error={errors.fieldError('password')}
          />
          <FormError
            message={errors.fieldError('token') ? 'This link is no longer valid: ask for a new one.' : errors.formError}
          />
          <button type="submit" className="primary">
            Set the password
          </button>
        </form>
      )}
    </main>
  )
}

/** The page the verification email links to (/verify-email?token=…). */
export function VerifyEmailPage() {
  const [params] = useSearchParams()
  const [state, setState] = useState<'working' | 'done' | 'failed'>('working')
  useEffect(() => {
    api
      .POST('/api/v1/auth/verify-email', { body: { token: params.get('token') ?? '' } })
      .then((result) => setState(result.response.ok ? 'done' : 'failed'))
      .catch(() => setState('failed'))
  }, [params])
  return (
    <main className="auth-page">
      <h1>Verify your email address</h1>
      {state === 'working' && <p aria-busy="true">Verifying…</p>}
      {state === 'done' && (
        <p role="status">
          Your address is verified. <Link to="/">Go to Tasklane</Link>
        </p>
      )}
      {state === 'failed' && <p role="alert">This link is no longer valid. Sign in to be sent a new one.</p>}
    </main>
  )
}
