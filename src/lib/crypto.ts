import { createHash, randomBytes } from 'node:crypto'

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')
/** An opaque random secret (256 bits, base64url). */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url')
