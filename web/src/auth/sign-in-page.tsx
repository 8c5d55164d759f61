import { type FormEvent, useState } from 'react'
import { Link } from 'react-router'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { useAuthActions } from './auth.tsx'

export function SignInPage() {
  const { signIn } = useAuthActions()
  const errors = useFormErrors(['email', 'password'])
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    setBusy(true)
    try {
      await signIn({ email: String(form.get('email')), password: String(form.get('password')) })
    } catch (err) {
      errors.show(err)
      setBusy(false)
    }
  }
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
      <p>
        New here? <Link to="/signup">Create account</Link>
      </p>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </main>
  )
}
