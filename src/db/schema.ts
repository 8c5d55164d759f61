// Every table of the application, re-exported from its module (drizzle-kit reads this file).
export { idempotencyKeys } from '../http/idempotency.table.ts'
export { activity, activityAudience } from '../modules/activity/activity.table.ts'
export { attachments } from '../modules/attachments/attachments.table.ts'
export { accountTokens } from '../modules/auth/account-tokens.table.ts'
export { sessions } from '../modules/auth/sessions.table.ts'
export { recoveryCodes, userTotp } from '../modules/auth/two-factor.table.ts'
export { comments } from '../modules/comments/comments.table.ts'
export { taskCounters } from '../modules/dashboard/counters.table.ts'
export { eventTickets } from '../modules/events/events.table.ts'
export { jobs } from '../modules/jobs/jobs.table.ts'
export { notes } from '../modules/notes/notes.table.ts'
export { projects } from '../modules/projects/projects.table.ts'
export { tags } from '../modules/tags/tags.table.ts'
export { tasks, taskTags } from '../modules/tasks/tasks.table.ts'
export { teamInvitations } from '../modules/teams/invitations.table.ts'
export { teamMembers, teams } from '../modules/teams/teams.table.ts'
export { apiTokens } from '../modules/tokens/tokens.table.ts'
export { users } from '../modules/users/users.table.ts'
export {
  logCursors,
  logDispatchFailures,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
} from '../modules/webhooks/webhooks.table.ts'
