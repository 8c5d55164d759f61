import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version

let commit: string | undefined
/**
 * The commit this code was built from: `npm run build` records it in dist/build.json (the image has
 * no .git: the build takes GIT_COMMIT); from the source, git is asked once, on first use (a scrape of
 * /metrics), not at start. 'unknown' when neither knows.
 */
export function buildCommit(): string {
  if (commit) return commit
  try {
    commit = JSON.parse(readFileSync(new URL('./build.json', import.meta.url), 'utf8')).commit as string
  } catch {
    try {
      commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5000,
      })
        .toString()
        .trim()
    } catch {
      commit = 'unknown'
    }
  }
  commit ||= 'unknown'
  return commit
}
