import { Gauge, Histogram, type Registry } from 'prom-client'
import type { HubMetrics } from './event-hub.ts'

/**
 * The event hub's figures on /metrics: how long a change takes from the log to an SSE stream (the
 * hub reports each delivery to what this returns), and the streams open on this instance.
 */
export function eventHubMetrics(registry: Registry, openStreams: () => number): HubMetrics {
  const lag = new Histogram({
    name: 'tasklane_event_delivery_lag_seconds',
    help: 'Time from a change being logged to its delivery on an SSE stream',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  new Gauge({
    name: 'tasklane_sse_open_streams',
    help: 'Server-Sent Events streams open on this instance',
    registers: [registry],
    collect() {
      this.set(openStreams())
    },
  })
  return { delivered: (lagSeconds) => lag.observe(lagSeconds) }
}
