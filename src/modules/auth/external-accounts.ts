import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Db } from '../../db/client.ts'
import { type UserRow, users } from '../../db/tables/users.ts'
import { forbidden, Problem, unauthorized } from '../../http/problem.ts'
import { sha256 } from '../../lib/crypto.ts'
import { claimInvitationsOf, hasLiveInvitation } from '../teams/index.ts'
import { insertUser } from '../users/index.ts'
import type { OidcClaims } from './oidc.ts'

/** Runs inside the transaction that creates a user (the workspace module gives every user a personal team). */
export type UserCreatedHook = (tx: Db, user: UserRow) => Promise<void>

export interface ExternalAccountDeps {
  db: Db
  log: Logger
  userCreated: UserCreatedHook
}

/** Who may create an account (REGISTRATION). */
export type RegistrationPolicy = 'open' | 'invite' | 'closed'

type ExternalRefusal = 'account_conflict' | 'email_not_verified' | 'registration_closed'

/** What an identity the issuer vouches for may do when no account is linked to its `sub` yet. */
export interface LinkRules {
  /** link or create only for an email the issuer verified (browser sign-in); else an email-less identity gets a placeholder */
  requireVerifiedEmail: boolean
  /** the sign-up policy a new account is made under (checked in the creating transaction) */
  registration: RegistrationPolicy
  refuse: (reason: ExternalRefusal) => Error
}

/**
 * The rules of bearer tokens: an identity without an account gets one only as the sign-up policy
 * allows (as a registration would), else a 403 problem; a conflicting address is a 401.
 */
export const bearerRules = (registration: RegistrationPolicy): LinkRules => ({
  requireVerifiedEmail: false,
  registration,
  refuse: (reason) =>
    reason === 'registration_closed'
      ? forbidden(
          registration === 'closed'
            ? 'Registration is closed: this identity has no Tasklane account, and an administrator creates accounts'
            : 'Registration needs an invitation: this identity has no Tasklane account and its verified email has no open invitation',
        )
      : unauthorized('This email belongs to another account; sign in with it first'),
})

/**
 * Whether a new account may be made for an external identity: `open` always, `invite` only for an
 * address the issuer verified that has a live invitation (the invitation went there), `closed` never.
 */
async function mayRegister(tx: Db, policy: RegistrationPolicy, email: string, emailVerified: boolean) {
  if (policy === 'open') return true
  if (policy === 'closed' || !emailVerified) return false
  return hasLiveInvitation(tx, email)
}

/**
 * The account of an external identity: the one linked to its `sub`, else the account of the same
 * address (linked now, only on the issuer's word that it verified the address), else a new one.
 */
export async function externalAccount(
  deps: ExternalAccountDeps,
  claims: OidcClaims,
  rules: LinkRules,
): Promise<UserRow> {
  const bySub = async () => (await deps.db.select().from(users).where(eq(users.externalId, claims.sub)))[0]
  const known = await bySub()
  if (known) return known
  if (rules.requireVerifiedEmail && !(claims.email && claims.emailVerified)) throw rules.refuse('email_not_verified')
  try {
    return await linkOrCreate(deps, claims, rules)
  } catch (err) {
    if (!(err instanceof Problem && err.status === 409)) throw err
    // the first two requests of a new identity raced: the other one created it
    const created = await bySub()
    if (created) return created
    throw rules.refuse('account_conflict')
  }
}

function linkOrCreate({ db, log, userCreated }: ExternalAccountDeps, claims: OidcClaims, rules: LinkRules) {
  // an identity without an email claim (Cognito access tokens) still needs a unique, well-formed one
  const local = /^[a-z0-9._-]{1,64}$/.test(claims.sub) ? claims.sub : sha256(claims.sub).slice(0, 32)
  const email = claims.email ?? `${local}@oidc.invalid`
  return db.transaction(async (tx) => {
    const [sameEmail] = await tx.select().from(users).where(eq(users.email, email))
    // the first two requests of a new identity raced, and the other one has committed it
    if (sameEmail?.externalId === claims.sub) return sameEmail
    if (sameEmail) {
      // an account made with a password is linked only on the issuer's word that it verified the email
      if (!claims.emailVerified || sameEmail.externalId) throw rules.refuse('account_conflict')
      const [linked] = await tx
        .update(users)
        .set({ externalId: claims.sub, emailVerified: true, updatedAt: new Date() })
        .where(eq(users.id, sameEmail.id))
        .returning()
      log.info({ userId: linked!.id }, 'linked an account to its external identity')
      return linked!
    }
    if (!(await mayRegister(tx, rules.registration, email, !!claims.email && claims.emailVerified))) {
      throw rules.refuse('registration_closed')
    }
    const user = await insertUser(tx, {
      email,
      name: claims.name ?? email.split('@')[0]!,
      passwordHash: null,
      externalId: claims.sub,
      emailVerified: !!claims.email && claims.emailVerified,
    })
    await userCreated(tx, user)
    // the issuer vouches for the address: its invitations are accepted as their link would be
    if (user.emailVerified) await claimInvitationsOf(tx, user)
    log.info({ userId: user.id }, 'created a user for an external identity')
    return user
  })
}
