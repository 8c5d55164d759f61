#!/usr/bin/env node
// node scripts/check-engines.mjs: lists the installed packages whose `engines.node` this Node does
// not satisfy (what `npm ci` prints as EBADENGINE) and exits 1 if there is any. CI runs it on the
// current LTS Node it fetches (.ci/run), where there must be none.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'

const root = join(import.meta.dirname, '..')
const bad = []
function visit(dir) {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    if (!e.isDirectory() || e.name === '.bin' || e.name === '.cache') continue
    if (e.name.startsWith('@')) {
      visit(join(dir, e.name))
      continue
    }
    const pkgDir = join(dir, e.name)
    try {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
      const range = pkg.engines?.node
      if (typeof range === 'string' && !semver.satisfies(process.version, range, { includePrerelease: true })) {
        bad.push(`${pkg.name}@${pkg.version} needs node ${range}`)
      }
    } catch {
      // not a package
    }
    visit(join(pkgDir, 'node_modules'))
  }
}
visit(join(root, 'node_modules'))
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node
if (own && !semver.satisfies(process.version, own)) bad.unshift(`tasklane itself needs node ${own}`)
for (const line of bad) process.stdout.write(`EBADENGINE ${line}\n`)
process.stdout.write(`${bad.length} package(s) refuse Node ${process.version}\n`)
process.exit(bad.length ? 1 : 0)
