// Every table of the application (drizzle-kit reads this file). The tables sit in the db layer, below the
// modules, because their foreign keys and the queries that join them cross features.

export { accountTokens } from './tables/account-tokens.ts'
export { activity, activityAudience } from './tables/activity.ts'
export { attachments } from './tables/attachments.ts'
export { comments } from './tables/comments.ts'
export { eventTickets } from './tables/event-tickets.ts'
export { idempotencyKeys } from './tables/idempotency-keys.ts'
export { jobs } from './tables/jobs.ts'
export { notes } from './tables/notes.ts'
export { projects } from './tables/projects.ts'
export { sessions } from './tables/sessions.ts'
export { tags } from './tables/tags.ts'
export { taskCounters } from './tables/task-counters.ts'
export { tasks, taskTags } from './tables/tasks.ts'
export { teamInvitations } from './tables/team-invitations.ts'
export { teamMembers, teams } from './tables/teams.ts'
export { apiTokens } from './tables/tokens.ts'
export { recoveryCodes, userTotp } from './tables/two-factor.ts'
export { users } from './tables/users.ts'
export {
  logCursors,
  logDispatchFailures,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
} from './tables/webhooks.ts'
