// npx tsx bench/profile.ts <file.cpuprofile> [top]: self time by package and by function
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
const [file, topArg] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
// percentages of the busy time: the server idles while the other target is measured
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
for (const id of idle) self.delete(id)
const total = [...self.values()].reduce((a, b) => a + b, 0)

const where = (url: string) => {
  if (!url) return '(native/gc/idle)'
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  if (url.startsWith('node:')) return url
  const src = /\/(src|bench)\/([^/].*)$/.exec(url)
  return src ? `${src[1]}/${src[2]}` : url
}
const sum = (key: (n: Node) => string) => {
  const acc = new Map<string, number>()
  for (const [id, t] of self) {
    const k = key(byId.get(id)!)
    acc.set(k, (acc.get(k) ?? 0) + t)
  }
  return [...acc.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))
}
const pct = (t: number) => `${((t / total) * 100).toFixed(1).padStart(5)}%`
console.log(`total ${(total / 1e6).toFixed(1)} s busy\n\nby package / file:`)
for (const [k, t] of sum((n) => where(n.callFrame.url))) console.log(`${pct(t)}  ${k}`)
console.log('\nby function:')
for (const [k, t] of sum(
  (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber}`,
))
  console.log(`${pct(t)}  ${k}`)

// `--callers NAME`: the call paths (5 frames up) that spend the most in functions named NAME
const ci = process.argv.indexOf('--callers')
if (ci > 0) {
  const name = process.argv[ci + 1]!
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const paths = new Map<string, number>()
  for (const [id, t] of self) {
    const n = byId.get(id)!
    if (n.callFrame.functionName !== name) continue
    const chain: string[] = []
    for (let p = parent.get(id), i = 0; p !== undefined && i < 40; p = parent.get(p), i++) {
      const f = byId.get(p)!.callFrame
      chain.push(`${f.functionName || '(anon)'}@${where(f.url).split('/').at(-1)}`)
    }
    paths.set(chain.join(' < '), (paths.get(chain.join(' < ')) ?? 0) + t)
  }
  console.log(`\ncallers of ${name}:`)
  for (const [k, t] of [...paths.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${pct(t)}  ${k}`)
}
