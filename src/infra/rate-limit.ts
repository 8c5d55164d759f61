/** A fixed-window counter store: one `hit` per request, atomic per key. */
export interface RateLimitStore {
  /** Counts one hit on `key` in its current window and returns the count and the window's end (ms epoch). */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>
  close(): Promise<void>
}

/** The per-instance default (and the fallback while Redis is away). */
export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>()
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key)
  }, 30_000)
  sweep.unref()
  return {
    async hit(key, windowMs) {
      const now = Date.now()
      let w = windows.get(key)
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs }
        windows.set(key, w)
      }
      w.count += 1
      return { count: w.count, resetAt: w.resetAt }
    },
    async close() {
      clearInterval(sweep)
      windows.clear()
    },
  }
}
