import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { describeError } from '../api/problem.ts'
import { useAuthActions } from './auth.tsx'
import { SecondFactorStep } from './sign-in-page.tsx'

// the reasons the server's callback names (GET auth/oidc/callback), in words
const REASONS: Record<string, string> = {
  state_mismatch: 'The sign-in was started in another browser or tab, or took too long. Start it again.',
  provider_error: 'The identity provider did not sign you in.',
  exchange_failed: 'The identity provider’s answer could not be used (it may have been used already). Start again.',
  unavailable: 'The identity provider cannot be reached right now. Try again shortly.',
  email_not_verified: 'Your identity provider has not verified your email address, so it cannot be used here.',
  domain_not_allowed: 'Accounts of your email domain cannot sign in here.',
  registration_closed: 'There is no account for your address here, and new accounts need an invitation.',
  account_conflict: 'Your address belongs to an account linked to another identity. Sign in with your password.',
  account_disabled: 'Your account is disabled.',
}

// a code works once: React runs effects twice in development, and a second swap would fail
const swapped = new Set<string>()

/** Where the server sends the browser after single sign-on: swaps the code in the fragment for a session. */
export function SsoCallbackPage() {
  const { exchangeSsoCode } = useAuthActions()
  const [{ code, error }] = useState(() => {
    const fragment = new URLSearchParams(window.location.hash.slice(1))
    return { code: fragment.get('code'), error: fragment.get('error') }
  })
  const [failure, setFailure] = useState<string | null>(
    error ? (REASONS[error] ?? 'Single sign-on failed.') : code ? null : 'This page finishes a single sign-on.',
  )
  const [challenge, setChallenge] = useState<string | null>(null)

  useEffect(() => {
    // the code leaves the address bar (and the history) before anything else happens
    window.history.replaceState(null, '', window.location.pathname)
    if (!code || swapped.has(code)) return
    swapped.add(code)
    exchangeSsoCode(code)
      .then((next) => {
        if (next) setChallenge(next.challengeToken)
      })
      .catch((err: unknown) => setFailure(describeError(err)))
  }, [code, exchangeSsoCode])

  if (challenge) return <SecondFactorStep challengeToken={challenge} onRestart={() => window.location.assign('/')} />
  return (
    <main className="auth-page">
      <h1>Single sign-on</h1>
      {failure ? (
        <>
          <p role="alert">{failure}</p>
          <p>
            <Link to="/">Back to sign-in</Link>
          </p>
        </>
      ) : (
        <p aria-busy="true">Signing you in…</p>
      )}
    </main>
  )
}
