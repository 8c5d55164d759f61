/**
 * A random Idempotency-Key. Not crypto.randomUUID(): browsers offer it only in secure contexts, and
 * the app is also opened over plain HTTP under a LAN host name; getRandomValues works everywhere.
 */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
