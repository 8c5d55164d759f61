import { type FormEvent, useState } from 'react'
import { Link } from 'react-router'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'
import { useAuthActions } from './auth.tsx'

export function SignUpPage() {
  const { signUp } = useAuthActions()
  const errors = useFormErrors(['name', 'email', 'password'])
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    errors.clear()
    setBusy(true)
    try {
      await signUp({
        name: String(form.get('name')),
        email: String(form.get('email')),
        password: String(form.get('password')),
      })
    } catch (err) {
      errors.show(err)
      setBusy(false)
    }
  }
  return (
    <main className="auth-page">
      <h1>Create your Tasklane account</h1>
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
