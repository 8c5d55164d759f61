export { ACTIONS, type Action, coveredBy } from './activity.catalog.ts'
export { logTaskDeletions, subtreeOf, tasksWhere } from './activity.deletions.ts'
export { selectEntries, toActivityEntry } from './activity.list.ts'
/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { activityRoutes as routes } from './activity.routes.ts'
export { ActivityEntry } from './activity.schema.ts'
export { ACTIVITY_CHANNEL, created, diff, recordActivities, recordActivity } from './activity.service.ts'
export { keepDeletionVisible, keepEntryVisible, visibleEntries } from './activity.visibility.ts'
export { createLogFollower, type LogFollower } from './log-follower.ts'
