/** A small seeded PRNG (sfc32): the same seed gives the same data on every machine. */
export function rng(seed: number) {
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 ^ (seed * 31)
  let c = 0xb7e15162
  let d = 1
  const next = () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 20; i++) next()
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    /** an integer in [min, max] */
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** an index drawn by weight */
    weighted: (weights: readonly number[]): number => {
      const total = weights.reduce((s, w) => s + w, 0)
      let r = next() * total
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i]!
        if (r < 0) return i
      }
      return weights.length - 1
    },
    /** `count` distinct items (fewer when there are fewer) */
    sample: <T>(items: readonly T[], count: number): T[] => {
      if (count >= items.length) return [...items]
      const chosen = new Set<number>()
      while (chosen.size < count) chosen.add(Math.floor(next() * items.length))
      return [...chosen].map((i) => items[i]!)
    },
    /** a UUIDv7 for a given time, its random bits from this generator (ids sort like the app's) */
    uuidv7: (ms: number): string => {
      const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
      const ts = hex(Math.floor(ms), 12)
      const r = () => hex(int(0, 0xffff), 4)
      const variant = hex(0x8000 | int(0, 0x3fff), 4)
      return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r().slice(1)}-${variant}-${r()}${r()}${r()}`
    },
  }
}
export type Rng = ReturnType<typeof rng>
