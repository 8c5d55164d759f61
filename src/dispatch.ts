import type { Logger } from 'pino'
import type { Database } from './db/client.ts'
import type { Queue } from './infra/queue.ts'
import { createLogDispatcher, type LogDispatcher } from './modules/activity/index.ts'
import { notificationConsumer } from './modules/notifications/notifications.dispatch.ts'
import { webhookConsumer } from './modules/webhooks/webhooks.dispatch.ts'

export interface DispatchDeps {
  database: Database
  queue: Pick<Queue, 'send'>
  logger: Logger
  now?: () => Date
  pollMs?: number
}

/**
 * Follows the activity log and turns entries into jobs: webhook deliveries and email
 * notifications. Runs in every worker (and in the embedded API); they share one cursor.
 */
export async function startLogDispatch({
  database,
  queue,
  logger,
  now = () => new Date(),
  pollMs,
}: DispatchDeps): Promise<LogDispatcher> {
  const dispatcher = createLogDispatcher({
    database,
    log: logger.child({ component: 'log-dispatch' }),
    consumers: [
      { name: 'webhooks', consume: webhookConsumer(queue) },
      { name: 'notifications', consume: notificationConsumer(queue, now) },
    ],
    pollMs,
  })
  await dispatcher.start()
  return dispatcher
}
