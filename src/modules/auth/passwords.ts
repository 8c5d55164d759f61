import { readFileSync } from 'node:fs'
import { hash, verify } from '@node-rs/argon2'
import { invalidField } from '../../http/problem.ts'

// OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane (≈12 ms here)
// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax)
const ARGON2 = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2)

// hashed once at start: login for an unknown email verifies against it, so both failures take the same time
const DUMMY_HASH = hash('tasklane-dummy-password', ARGON2)

/** Verifies a password; with no stored hash it still spends the same time and fails. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    await verify(await DUMMY_HASH, password).catch(() => false)
    return false
  }
  return verify(stored, password).catch(() => false)
}

let common: Set<string> | undefined
/** True for a password in the shipped list of the 10,000 most common ones (case-insensitive). */
function isCommonPassword(password: string): boolean {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  )
  return common.has(password.toLowerCase())
}

/** Refuses a new password from the list of common ones, naming the field (`body.password`). */
export function checkNewPassword(path: string, password: string) {
  if (isCommonPassword(password)) throw invalidField(path, 'is too common; choose another')
}
