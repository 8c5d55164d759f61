import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { Db } from '../../db/client.ts'
import { type UserRow, users } from '../../db/tables/users.ts'
import { Problem, unauthorized } from '../../http/problem.ts'
import { sha256 } from '../../lib/crypto.ts'
import { insertUser } from '../users/index.ts'
import type { OidcClaims } from './oidc.ts'

/** Runs inside the transaction that creates a user (the workspace module gives every user a personal team). */
export type UserCreatedHook = (tx: Db, user: UserRow) => Promise<void>

export interface ExternalAccountDeps {
  db: Db
  log: Logger
  userCreated: UserCreatedHook
}

export type ExternalRefusal = 'account_conflict' | 'email_not_verified'

/** What an identity the issuer vouches for may do when no account is linked to its `sub` yet. */
export interface LinkRules {
  /** link or create only for an email the issuer verified (browser sign-in); else an email-less identity gets a placeholder */
  requireVerifiedEmail: boolean
  /** throws when no account may be created for this address (the sign-up policy); runs in the creating transaction */
  beforeCreate?: (tx: Db, email: string) => Promise<void>
  refuse: (reason: ExternalRefusal) => Error
}

const BEARER_RULES: LinkRules = {
  requireVerifiedEmail: false,
  refuse: () => unauthorized('This email belongs to another account; sign in with it first'),
}

/**
 * The account of an external identity: the one linked to its `sub`, else the account of the same
 * address (linked now, only on the issuer's word that it verified the address), else a new one.
 */
export async function externalAccount(
  deps: ExternalAccountDeps,
  claims: OidcClaims,
  rules: LinkRules = BEARER_RULES,
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
    await rules.beforeCreate?.(tx, email)
    const user = await insertUser(tx, {
      email,
      name: claims.name ?? email.split('@')[0]!,
      passwordHash: null,
      externalId: claims.sub,
      emailVerified: !!claims.email && claims.emailVerified,
    })
    await userCreated(tx, user)
    log.info({ userId: user.id }, 'created a user for an external identity')
    return user
  })
}
