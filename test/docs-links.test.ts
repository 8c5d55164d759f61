import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Every relative link in the project's Markdown (README, docs/, the root pages, bench/RESULTS.md)
// must name a file of the repository, and its #anchor a heading of that file: a section that moved
// would otherwise leave a link to nowhere, and a link out of the repository points at text the
// project does not carry.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const markdownFiles = (): string[] => {
  const files = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', 'bench/RESULTS.md']
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name)
      if (statSync(join(root, path)).isDirectory()) walk(path)
      else if (name.endsWith('.md')) files.push(path)
    }
  }
  walk('docs')
  return files.filter((f) => existsSync(join(root, f)))
}

/** The text without fenced code blocks and inline code, where brackets are not links. */
const prose = (text: string): string =>
  text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2… */
const anchorsOf = (text: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  const withoutFences = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
  for (const [, heading] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
      .replace(/ /g, '-')
    const n = seen.get(slug) ?? 0
    seen.set(slug, n + 1)
    anchors.add(n === 0 ? slug : `${slug}-${n}`)
  }
  return anchors
}

const linksOf = (text: string): string[] => {
  const body = prose(text)
  const links = [...body.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!)
  // reference definitions: [name]: target
  links.push(...[...body.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!))
  return links
}

const external = (link: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(link)

const brokenLinks = (file: string): string[] => {
  const text = readFileSync(join(root, file), 'utf8')
  const broken: string[] = []
  for (const link of linksOf(text)) {
    if (external(link)) continue
    const [pathPart, anchor] = link.split('#', 2) as [string, string | undefined]
    const target = pathPart === '' ? join(root, file) : resolve(root, dirname(file), decodeURIComponent(pathPart))
    const inside = relative(root, target)
    if (inside.startsWith('..') || resolve(root, inside) !== target) {
      broken.push(`${link} (outside the repository)`)
      continue
    }
    if (!existsSync(target)) {
      broken.push(`${link} (no such file)`)
      continue
    }
    if (anchor !== undefined && anchor !== '' && target.endsWith('.md')) {
      if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link} (no such heading)`)
    }
  }
  return broken
}

describe('links in the documentation', () => {
  const files = markdownFiles()

  it('covers the README and docs/', () => {
    expect(files).toContain('README.md')
    expect(files).toContain('docs/operations.md')
  })

  it.each(files)('%s: every relative link names a file of the repository and an existing heading', (file) => {
    expect(brokenLinks(file)).toEqual([])
  })

  it('finds what it is meant to find', () => {
    expect(
      anchorsOf('# Redis: what it adds\n## `npm run chaos`\n## Decisions where API.md is silent\n# A\n# A'),
    ).toEqual(new Set(['redis-what-it-adds', 'npm-run-chaos', 'decisions-where-apimd-is-silent', 'a', 'a-1']))
    expect(linksOf('[a](b.md#c) `[x](y)` ![p](docs/board.png "t")\n```\n[z](q)\n```\n[r]: s.md')).toEqual([
      'b.md#c',
      'docs/board.png',
      's.md',
    ])
  })
})
