import { Counter, Gauge, type Registry } from 'prom-client'
import type { ListCache } from './list-cache.ts'

type Lookups = { hits: number; misses: number; bypasses: number }

/** The task list cache's figures on /metrics, read from its stats when scraped (GET /tasks/:id's under `tasks`). */
export function instrumentListCache(registry: Registry, cache: Pick<ListCache, 'stats'>) {
  const lookups = (name: string, help: string, read: () => Lookups) =>
    new Counter({
      name,
      help,
      labelNames: ['result'] as const,
      registers: [registry],
      collect() {
        this.reset()
        const s = read()
        this.inc({ result: 'hit' }, s.hits)
        this.inc({ result: 'miss' }, s.misses)
        this.inc({ result: 'bypass' }, s.bypasses)
      },
    })
  lookups(
    'tasklane_list_cache_lookups_total',
    'Task list requests by result: hit (answered from the cache, no SQL), miss (read and remembered), bypass (read because the cache could not vouch for an answer: a write not yet seen in the log, the cache starting or failed)',
    () => cache.stats,
  )
  lookups(
    'tasklane_task_cache_lookups_total',
    'GET /tasks/:id requests by result, from the list cache (hit, miss, bypass: as tasklane_list_cache_lookups_total)',
    () => cache.stats.tasks,
  )
  new Gauge({
    name: 'tasklane_list_cache_bytes',
    help: 'Bytes of task list and single task answers this instance remembers (LIST_CACHE_MAX_BYTES bounds it)',
    registers: [registry],
    collect() {
      this.set(cache.stats.bytes)
    },
  })
}
