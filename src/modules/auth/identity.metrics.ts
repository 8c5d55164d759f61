import { Counter, type Registry } from 'prom-client'
import type { Identity } from './identity.ts'

/** The identity's per-request caches on /metrics (user state, token lookups, token signatures), read when scraped. */
export function instrumentAuthCaches(registry: Registry, identity: Pick<Identity, 'cacheStats'>) {
  new Counter({
    name: 'tasklane_auth_cache_lookups_total',
    help: 'Per-request auth checks by cache (user: user state, pat: personal access token lookup, jwt: access token signature) and result (hit: no query or signature check)',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      this.reset()
      for (const [cache, s] of Object.entries(identity.cacheStats)) {
        this.inc({ cache, result: 'hit' }, s.hits)
        this.inc({ cache, result: 'miss' }, s.misses)
      }
    },
  })
}
