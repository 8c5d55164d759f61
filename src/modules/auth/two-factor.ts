import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { and, eq, isNull, or, sql } from 'drizzle-orm'
import { generateSecret, generateURI, verify } from 'otplib'
import { renderSVG } from 'uqr'
import type { Db } from '../../db/client.ts'
import { recoveryCodes, userTotp } from '../../db/tables/two-factor.ts'
import type { Actor } from '../../http/auth.ts'
import { conflict, forbidden, invalidField, notFound } from '../../http/problem.ts'
import { sha256 } from '../../lib/crypto.ts'
import { newId } from '../../lib/ids.ts'
import { getUserRow } from '../users/index.ts'
import { verifyPassword } from './passwords.ts'

export const RECOVERY_CODE_COUNT = 10
const ISSUER = 'Tasklane'
// a code of the previous or next 30-second step is accepted too (clocks drift, people type slowly)
const TOLERANCE_SECONDS = 30

/** Encrypts and decrypts secrets (TOTP secrets at rest, a sign-in's flow cookie) with a key derived from JWT_SECRET per purpose. */
export function secretBox(jwtSecret: string, purpose = 'totp-secret-v1') {
  const key = Buffer.from(hkdfSync('sha256', jwtSecret, 'tasklane', purpose, 32))
  return {
    seal(plain: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')
    },
    open(sealed: string): string {
      const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'))
      const decipher = createDecipheriv('aes-256-gcm', key, iv!)
      decipher.setAuthTag(tag!)
      return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8')
    },
  }
}
export type SecretBox = ReturnType<typeof secretBox>

export interface TwoFactorDeps {
  db: Db
  box: SecretBox
}

const normalizeRecovery = (code: string) => code.toUpperCase().replace(/[^0-9A-F]/g, '')
// 20 hex digits (80 bits) shown as four groups of five
const newRecoveryCode = () => (randomBytes(10).toString('hex').toUpperCase().match(/.{5}/g) ?? []).join('-')

async function checkPassword(db: Db, actor: Actor, password: string | undefined) {
  const user = await getUserRow(db, actor.userId)
  // an account made by single sign-on has no password: the session is what it has
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, password ?? ''))) {
    throw forbidden('The password is wrong')
  }
  return user
}

/** Whether a user signs in with a second factor. */
export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ enabledAt: userTotp.enabledAt }).from(userTotp).where(eq(userTotp.userId, userId))
  return !!row?.enabledAt
}

/** Starts (or restarts) an enrolment: a new secret, as an otpauth URI and a QR code (SVG data URL). */
export async function startTotpEnrolment({ db, box }: TwoFactorDeps, actor: Actor, input: { password?: string }) {
  const user = await checkPassword(db, actor, input.password)
  if (await hasSecondFactor(db, user.id)) throw conflict('Two-factor sign-in is on already: turn it off first')
  const secret = generateSecret()
  const otpauthUri = generateURI({ issuer: ISSUER, label: user.email, secret })
  await db
    .insert(userTotp)
    .values({ userId: user.id, secretEnc: box.seal(secret) })
    .onConflictDoUpdate({ target: userTotp.userId, set: { secretEnc: box.seal(secret), lastUsedStep: null } })
  const svg = renderSVG(otpauthUri)
  return { secret, otpauthUri, qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` }
}

/**
 * Checks a TOTP code and records its time step, in one statement: a code (or an older one) already
 * accepted is refused, even by two requests at once.
 */
async function acceptTotp(db: Db, box: SecretBox, userId: string, code: string, enabled: boolean): Promise<boolean> {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId))
  if (!row || !!row.enabledAt !== enabled) return false
  const result = await verify({
    secret: box.open(row.secretEnc),
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    ...(row.lastUsedStep !== null ? { afterTimeStep: row.lastUsedStep } : {}),
  }).catch(() => ({ valid: false as const }))
  if (!result.valid) return false
  // the TOTP strategy's result carries the matched step (otplib types the HOTP and TOTP results as one)
  const step = (result as { timeStep: number }).timeStep
  const [claimed] = await db
    .update(userTotp)
    .set({ lastUsedStep: step })
    .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastUsedStep), sql`${userTotp.lastUsedStep} < ${step}`)))
    .returning({ userId: userTotp.userId })
  return !!claimed
}

async function spendRecoveryCode(db: Db, userId: string, code: string): Promise<boolean> {
  const normalized = normalizeRecovery(code)
  if (normalized.length !== 20) return false
  const [row] = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, sha256(normalized)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id })
  return !!row
}

/** A code of the user's authenticator, or one of their unused recovery codes. */
export async function checkSecondFactor({ db, box }: TwoFactorDeps, userId: string, code: string): Promise<boolean> {
  return /^\d{6}$/.test(code) ? acceptTotp(db, box, userId, code, true) : spendRecoveryCode(db, userId, code)
}

async function replaceRecoveryCodes(tx: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
  await tx
    .insert(recoveryCodes)
    .values(codes.map((c) => ({ id: newId(), userId, codeHash: sha256(normalizeRecovery(c)) })))
  return codes
}

/** Turns the second factor on with a first code of the authenticator; returns the recovery codes, shown this once. */
export async function confirmTotpEnrolment({ db, box }: TwoFactorDeps, actor: Actor, input: { code: string }) {
  if (!(await acceptTotp(db, box, actor.userId, input.code, false))) {
    throw invalidField('body.code', 'is not the current code of the authenticator being set up')
  }
  return db.transaction(async (tx) => {
    await tx.update(userTotp).set({ enabledAt: new Date() }).where(eq(userTotp.userId, actor.userId))
    return { recoveryCodes: await replaceRecoveryCodes(tx, actor.userId) }
  })
}

/** Turns the second factor off: the password (when the account has one) and a code or recovery code. */
export async function disableTotp(deps: TwoFactorDeps, actor: Actor, input: { password?: string; code: string }) {
  await checkPassword(deps.db, actor, input.password)
  if (!(await hasSecondFactor(deps.db, actor.userId))) throw conflict('Two-factor sign-in is off already')
  if (!(await checkSecondFactor(deps, actor.userId, input.code))) throw forbidden('The code is wrong')
  await removeSecondFactor(deps.db, actor.userId)
}

/** New recovery codes (the old ones stop working), after the password and a code. */
export async function regenerateRecoveryCodes(
  deps: TwoFactorDeps,
  actor: Actor,
  input: { password?: string; code: string },
) {
  await checkPassword(deps.db, actor, input.password)
  if (!(await hasSecondFactor(deps.db, actor.userId))) throw conflict('Two-factor sign-in is off')
  if (!(await checkSecondFactor(deps, actor.userId, input.code))) throw forbidden('The code is wrong')
  return deps.db.transaction(async (tx) => ({ recoveryCodes: await replaceRecoveryCodes(tx, actor.userId) }))
}

export async function twoFactorStatus(db: Db, userId: string) {
  const [row] = await db.select({ enabledAt: userTotp.enabledAt }).from(userTotp).where(eq(userTotp.userId, userId))
  const left = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
  return {
    totp: !!row?.enabledAt,
    enabledAt: row?.enabledAt ? row.enabledAt.toISOString() : null,
    recoveryCodesLeft: row?.enabledAt ? (left[0]?.n ?? 0) : 0,
  }
}

/** Removes a user's second factor and recovery codes (themselves, or an administrator's reset). */
async function removeSecondFactor(db: Db, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(userTotp).where(eq(userTotp.userId, userId))
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
  })
}

/** An administrator's reset: 404 for an unknown user. */
export async function resetSecondFactor(db: Db, userId: string): Promise<void> {
  await getUserRow(db, userId).catch(() => {
    throw notFound('user', userId)
  })
  await removeSecondFactor(db, userId)
}
