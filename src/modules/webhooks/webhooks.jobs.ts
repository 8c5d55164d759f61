import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Database, Db } from '../../db/client.ts'
import type { JobDefinition } from '../../infra/queue.ts'
import type { LookupAll } from './ssrf.ts'
import { type DeliveryOutcome, deliverJob } from './webhooks.deliver.ts'

/** A counter registered once per registry (job definitions may be built more than once per process). */
export function counter<L extends string>(registry: Registry | undefined, name: string, help: string, labels: L[]) {
  if (!registry) return undefined
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames: labels, registers: [registry] })
  )
}

export interface WebhookJobDeps {
  db: Db
  allowPrivate: boolean
  now?: () => Date
  registry?: Registry
  retryDelaySeconds?: number
  lookup?: LookupAll
}

/** Webhook deliveries: one job per (webhook, event), retried with backoff for about a day. */
export function webhookJobs(deps: WebhookJobDeps): JobDefinition<never>[] {
  const outcomes = counter(
    deps.registry,
    'tasklane_webhook_deliveries_total',
    'Webhook delivery attempts by outcome (delivered, retrying, failed, disabled, skipped)',
    ['outcome'],
  )
  const lag =
    deps.registry &&
    ((deps.registry.getSingleMetric('tasklane_webhook_delivery_lag_seconds') as Histogram | undefined) ??
      new Histogram({
        name: 'tasklane_webhook_delivery_lag_seconds',
        help: 'Time from a change to its successful webhook delivery (retries included)',
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21_600, 86_400],
        registers: [deps.registry],
      }))
  return [
    deliverJob({
      db: deps.db,
      now: deps.now ?? (() => new Date()),
      allowPrivate: deps.allowPrivate,
      lookup: deps.lookup,
      retryDelaySeconds: deps.retryDelaySeconds,
      onOutcome: (outcome: DeliveryOutcome) => outcomes?.inc({ outcome }),
      onDelivered: (seconds) => lag?.observe(seconds),
    }),
  ] as JobDefinition<never>[]
}

/** Webhook deliveries by status, from the database: every API instance reports what all workers did. */
export function instrumentWebhookDeliveries(registry: Registry, database: Pick<Database, 'sql'>) {
  if (registry.getSingleMetric('tasklane_webhook_deliveries')) return
  new Gauge({
    name: 'tasklane_webhook_deliveries',
    help: 'Webhook deliveries by status (pending, delivered, failed), all workers',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await database.sql.query<{ status: string; n: string }>(
        'select status, count(*)::text as n from webhook_deliveries group by status',
      )
      this.reset()
      for (const r of rows) this.set({ status: r.status }, Number(r.n))
    },
  })
}
