/*
 * The activity log: the spine every consumer of a change reads. In order:
 * 1. write: a service appends its entry in the transaction of the change (recordActivity,
 *    recordActivities; the actions in activity.catalog.ts), and NOTIFY wakes the readers at commit
 * 2. follow: the log follower reads forward by id up to the safe high-water mark (log-follower.ts;
 *    the mark's SQL is db/activity-log.ts, which the replica reads too)
 * 3. fan out, in this instance, through one follower: the SSE streams and the change feed
 *    (modules/events: event-hub.ts, events.service.ts) and the task list cache (modules/tasks:
 *    list-cache.ts)
 * 4. dispatch, once across all workers: the log dispatcher (log-dispatcher.ts) hands each entry to
 *    its consumers under a locked cursor, as jobs: webhook deliveries (modules/webhooks:
 *    webhooks.dispatch.ts) and email notifications (modules/notifications:
 *    notifications.dispatch.ts), wired in src/dispatch.ts; an entry a consumer fails on is retried,
 *    then set aside (log-dispatch-failures.ts, with its metric)
 * 5. read back: the audit trail (activity.list.ts, activity.visibility.ts, activity.routes.ts)
 */
export { ACTIONS, type Action, coveredBy } from './activity.catalog.ts'
export { logTaskDeletions, subtreeOf, tasksWhere } from './activity.deletions.ts'
export { selectEntries, toActivityEntry } from './activity.list.ts'
/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { activityRoutes as routes } from './activity.routes.ts'
export { ActivityEntry } from './activity.schema.ts'
export { ACTIVITY_CHANNEL, created, diff, recordActivities, recordActivity } from './activity.service.ts'
export { keepDeletionVisible, keepEntryVisible, visibleEntries } from './activity.visibility.ts'
export { instrumentLogDispatch, type LogConsumer } from './log-dispatch-failures.ts'
export { createLogDispatcher, type LogDispatcher } from './log-dispatcher.ts'
export { createLogFollower, type LogFollower } from './log-follower.ts'
