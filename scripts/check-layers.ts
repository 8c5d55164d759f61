// npm run lint runs this: the layers of src/ point one way and no file imports itself back.
//
//   lib, config.ts, version.ts  import nothing of ours (the env schema and the version are facts every layer may read)
//   db → infra → http           each may import lib and the layers before it, never one after it
//   modules/<name>              may import lib, db, infra, http and another module's index.ts only
//   app.ts, server.ts, worker.ts, cli.ts, … (the other files in src/)   on top: import anything
//
// Test files (*.test.ts) are checked for cycles only: a test may reach into a module it tests.
// Every import counts, type-only and dynamic ones too. Prints each broken rule and exits 1.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(import.meta.dirname, '..')
const src = join(root, 'src')

/** The layer a file belongs to, and what it may import; `undefined` for a file on top. */
type Layer = { name: string; rank: number }
const base = ['lib', 'config.ts', 'version.ts']
const lower = ['db', 'infra', 'http'] as const

function layerOf(file: string): Layer | undefined {
  const [first, second] = file.split('/')
  if (first === 'lib' || base.includes(file)) return { name: first === 'lib' ? 'lib' : file, rank: 0 }
  const lowerRank = lower.indexOf(first as (typeof lower)[number])
  if (lowerRank >= 0 && second !== undefined) return { name: first as string, rank: lowerRank + 1 }
  if (first === 'modules' && second !== undefined) return { name: `modules/${second}`, rank: lower.length + 1 }
  return undefined
}

function brokenRule(from: string, to: string): string | undefined {
  const a = layerOf(from)
  const b = layerOf(to)
  if (!a) return undefined
  if (!b) return `${a.name} imports a top-level file`
  if (a.name === b.name) return undefined
  if (a.rank === 0) return `${a.name} imports nothing of ours`
  if (b.rank > a.rank) return `${a.name} may not import the higher layer ${b.name}`
  if (b.name.startsWith('modules/') && a.name.startsWith('modules/') && !/^modules\/[^/]+\/index\.ts$/.test(to))
    return `${a.name} may import ${b.name} only through its index.ts`
  return undefined
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return e.name.endsWith('.ts') ? [path] : []
  })
}

/** Our files a file imports (static, type-only, dynamic and re-exports), relative to src/. */
function importsOf(path: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true)
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(src, resolve(dirname(path), name)))
    .filter((name) => !name.startsWith('..'))
}

const files = sourceFiles(src).map((path) => relative(src, path))
const graph = new Map(files.map((file) => [file, importsOf(join(src, file))]))
const problems: string[] = []

for (const [from, targets] of graph) {
  if (from.endsWith('.test.ts')) continue
  for (const to of targets) {
    const rule = brokenRule(from, to)
    if (rule) problems.push(`src/${from} → src/${to}: ${rule}`)
  }
}

// cycles between files (Tarjan's strongly connected components) and between modules
function cycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let next = 0
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string | undefined
      do {
        w = stack.pop() as string
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return found
}

const fileEdges = new Map([...graph].map(([file, targets]) => [file, new Set(targets)]))
for (const component of cycles(fileEdges)) problems.push(`import cycle between files: ${component.join(', ')}`)

const moduleOf = (file: string) => /^modules\/([^/]+)\//.exec(file)?.[1]
const moduleEdges = new Map<string, Set<string>>()
for (const [from, targets] of graph) {
  const a = moduleOf(from)
  if (!a || from.endsWith('.test.ts')) continue
  const edges = moduleEdges.get(a) ?? new Set<string>()
  moduleEdges.set(a, edges)
  for (const to of targets) {
    const b = moduleOf(to)
    if (b && b !== a) edges.add(b)
  }
}
for (const component of cycles(moduleEdges)) problems.push(`modules import each other: ${component.join(' ↔ ')}`)

for (const line of problems) process.stdout.write(`${line}\n`)
process.stdout.write(`layers: ${files.length} files, ${problems.length} problem(s)\n`)
process.exitCode = problems.length ? 1 : 0
