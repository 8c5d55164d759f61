import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import { FormError, TextField } from '../ui/field.tsx'
import { useFormErrors } from '../ui/use-form-errors.ts'

const STATUS = ['two-factor']

/** The account's password, which an account made by single sign-on does not have. */
const PasswordField = ({ error }: { error?: string }) => (
  <TextField
    label="Password"
    name="password"
    type="password"
    autoComplete="current-password"
    hint="Leave empty if your account has no password (single sign-on)"
    error={error}
  />
)

const fieldsOf = (e: FormEvent<HTMLFormElement>) => {
  e.preventDefault()
  const data = new FormData(e.currentTarget)
  const password = String(data.get('password') ?? '')
  return { password: password || undefined, code: String(data.get('code') ?? '') }
}

/** Two-factor sign-in: its state, enrolment with an authenticator app, recovery codes, turning it off. */
export default function SecurityPage() {
  const status = useQuery({
    queryKey: STATUS,
    queryFn: async () => unwrap(await api.GET('/api/v1/users/me/two-factor')),
  })
  // recovery codes are shown once, right after they are made
  const [codes, setCodes] = useState<string[] | null>(null)
  if (!status.data) return <p aria-busy="true">Loading…</p>
  return (
    <section aria-labelledby="security-heading">
      <h1 id="security-heading">Security</h1>
      <h2>Two-factor sign-in</h2>
      <p role="status">
        {status.data.totp
          ? `On: signing in asks for a code of your authenticator app. ${status.data.recoveryCodesLeft} recovery codes left.`
          : 'Off: signing in needs only your password.'}
      </p>
      {codes ? (
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      ) : status.data.totp ? (
        <>
          <NewRecoveryCodes onCodes={setCodes} />
          <TurnOff />
        </>
      ) : (
        <Enrol onCodes={setCodes} />
      )}
    </section>
  )
}

function Enrol({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const queryClient = useQueryClient()
  const startErrors = useFormErrors(['password'])
  const confirmErrors = useFormErrors(['code'])
  const start = useMutation({
    mutationFn: async (password?: string) =>
      unwrap(await api.POST('/api/v1/users/me/two-factor/totp', { body: { password } })),
    onError: startErrors.show,
  })
  const confirm = useMutation({
    mutationFn: async (code: string) =>
      unwrap(await api.POST('/api/v1/users/me/two-factor/totp/confirm', { body: { code } })),
    onSuccess: (result) => {
      onCodes(result.recoveryCodes)
      void queryClient.invalidateQueries({ queryKey: STATUS })
    },
    onError: confirmErrors.show,
  })
  const enrolment = start.data
  if (!enrolment) {
    return (
      <form
        className="stack settings-card"
        aria-label="Set up two-factor sign-in"
        noValidate
        onSubmit={(e) => {
          startErrors.clear()
          start.mutate(fieldsOf(e).password)
        }}
      >
        <PasswordField error={startErrors.fieldError('password')} />
        <FormError message={startErrors.formError} />
        <button type="submit" className="primary" disabled={start.isPending}>
          Set up two-factor sign-in
        </button>
      </form>
    )
  }
  return (
    <form
      className="stack settings-card"
      aria-label="Confirm two-factor sign-in"
      noValidate
      onSubmit={(e) => {
        confirmErrors.clear()
        confirm.mutate(fieldsOf(e).code)
      }}
    >
      <p>Scan this code with your authenticator app, or type the secret key into it.</p>
      <img className="qr-code" src={enrolment.qrSvgDataUrl} alt="QR code for your authenticator app" />
      <TextField label="Secret key" name="secret" value={enrolment.secret} readOnly spellCheck={false} />
      <TextField
        label="Code"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        required
        hint="The 6-digit code your app shows now"
        error={confirmErrors.fieldError('code')}
      />
      <FormError message={confirmErrors.formError} />
      <button type="submit" className="primary" disabled={confirm.isPending}>
        Turn on
      </button>
    </form>
  )
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <section className="settings-card" aria-labelledby="recovery-heading">
      <h3 id="recovery-heading">Recovery codes</h3>
      <p>Keep these somewhere safe: each signs you in once if you lose your authenticator. They are shown only now.</p>
      <ol className="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <button type="button" onClick={onDone}>
        I have saved them
      </button>
    </section>
  )
}

/** A form that proves the password and a code, for turning off and for new recovery codes. */
function ProveForm({
  label,
  submit,
  danger,
  onProved,
}: {
  label: string
  submit: string
  danger?: boolean
  onProved: (body: { password?: string; code: string }) => Promise<unknown>
}) {
  const errors = useFormErrors(['password', 'code'])
  const [busy, setBusy] = useState(false)
  const send = async (e: FormEvent<HTMLFormElement>) => {
    const form = e.currentTarget
    const body = fieldsOf(e)
    errors.clear()
    setBusy(true)
    try {
      await onProved(body)
      form.reset()
    } catch (err) {
      errors.show(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="stack settings-card" aria-label={label} noValidate onSubmit={send}>
      <h3>{label}</h3>
      <PasswordField error={errors.fieldError('password')} />
      <TextField
        label="Code"
        name="code"
        autoComplete="one-time-code"
        required
        hint="A code of your authenticator app, or a recovery code"
        error={errors.fieldError('code')}
      />
      <FormError message={errors.formError} />
      <button type="submit" className={danger ? 'danger' : undefined} disabled={busy}>
        {submit}
      </button>
    </form>
  )
}

function NewRecoveryCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const queryClient = useQueryClient()
  return (
    <ProveForm
      label="New recovery codes"
      submit="Generate new recovery codes"
      onProved={async (body) => {
        const result = unwrap(await api.POST('/api/v1/users/me/two-factor/recovery-codes', { body }))
        onCodes(result.recoveryCodes)
        await queryClient.invalidateQueries({ queryKey: STATUS })
      }}
    />
  )
}

function TurnOff() {
  const queryClient = useQueryClient()
  return (
    <ProveForm
      label="Turn off two-factor sign-in"
      submit="Turn off"
      danger
      onProved={async (body) => {
        unwrap(await api.POST('/api/v1/users/me/two-factor/totp/disable', { body }))
        await queryClient.invalidateQueries({ queryKey: STATUS })
      }}
    />
  )
}
