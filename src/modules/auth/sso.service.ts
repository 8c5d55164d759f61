import type { Config } from '../../config.ts'
import { unauthorized } from '../../http/problem.ts'
import { getUserRow, toUser } from '../users/index.ts'
import { consumeAccountToken, mintAccountToken } from './account-tokens.ts'
import { externalAccount, type LinkRules } from './external-accounts.ts'
import type { Identity } from './identity.ts'
import type { OidcClaims } from './oidc.ts'
import { secondFactorGate } from './second-factor.ts'
import { startSession } from './sessions.service.ts'
import { type SsoClient, SsoRefused } from './sso.ts'
import type { TwoFactorDeps } from './two-factor.ts'

// the web app swaps the code at once: a minute is plenty, and the code is single-use
const EXCHANGE_TTL_SECONDS = 60

/**
 * The account of a person the provider signed in, under OIDC_ALLOWED_DOMAINS and the sign-up
 * policy: the account linked to their `sub`, else the one of their verified address (linked now),
 * else a new one when REGISTRATION allows it. Returns a single-use code for POST auth/oidc/exchange.
 */
export async function ssoSignIn(
  deps: { identity: Identity; config: Pick<Config, 'REGISTRATION'>; sso: SsoClient },
  claims: OidcClaims,
): Promise<string> {
  if (!deps.sso.domainAllowed(claims)) throw new SsoRefused('domain_not_allowed')
  const { db, log } = deps.identity.sessionDeps
  const rules: LinkRules = {
    requireVerifiedEmail: true,
    registration: deps.config.REGISTRATION,
    refuse: (reason) => new SsoRefused(reason),
  }
  const user = await externalAccount({ db, log, userCreated: deps.identity.userCreated }, claims, rules)
  if (user.disabled) throw new SsoRefused('account_disabled')
  return mintAccountToken(db, { userId: user.id, purpose: 'sso_exchange', ttlSeconds: EXCHANGE_TTL_SECONDS })
}

/** Swaps the code of a finished single sign-on for a session (or the second-factor challenge of an account with one). */
export async function exchangeSsoCode(identity: Identity, twoFactor: TwoFactorDeps, code: string) {
  const { db } = identity.sessionDeps
  const token = await consumeAccountToken(db, 'sso_exchange', code)
  if (!token) throw unauthorized('The sign-in code is invalid, used or expired: sign in again')
  const user = await getUserRow(db, token.userId)
  if (user.disabled) throw unauthorized('The account is disabled')
  const challenge = await secondFactorGate(twoFactor)(user)
  if (challenge) return challenge
  return { user: toUser(user), ...(await startSession(db, identity.sessionDeps, user.id)) }
}
