import { givenTask, givenTaskWorld, insertTasks } from './given/tasks.ts'
import { addToTeam, givenMember, givenProject, givenTag, givenTeam, givenTeamWithRoles } from './given/teams.ts'
import { GOOD_PASSWORD, givenAdmin, givenToken, givenUser, uniqueEmail } from './given/users.ts'
import { givenWebhook } from './given/webhooks.ts'

export type { Task, TaskWorld } from './given/tasks.ts'
export type { GivenProject, GivenTeam, TeamRole } from './given/teams.ts'
export type { GivenUser } from './given/users.ts'

/**
 * The one factory of the tests: each member makes what a test needs through the API, as a client
 * would (or straight in the database where the API cannot), checks that it worked and returns it.
 *
 *   const owner = await given.user(t.app)
 *   const team = await given.team(t.app, owner, { members: [{ user: mate, role: 'member' }] })
 *   const task = await given.task(t.app, owner, { projectId: project.id })
 */
export const given = {
  /** a registered user with a fresh email: `{ id, email, password, accessToken, auth }` */
  user: givenUser,
  /** a registered user made a global admin */
  admin: givenAdmin,
  /** a personal access token of a user with scopes; its secret */
  token: givenToken,
  /** an email address no other test uses */
  email: uniqueEmail,
  /** the password of every given user */
  password: GOOD_PASSWORD,
  /** a team owned by `owner`, with `members` (existing users) added by role */
  team: givenTeam,
  /** a new user added to a team with a role */
  member: givenMember,
  /** an existing user added to a team with a role */
  membership: addToTeam,
  /** a team with one user of every role, an outsider and a global admin: the cast of a role matrix */
  teamWithRoles: givenTeamWithRoles,
  project: givenProject,
  tag: givenTag,
  /** a task created through the API (in the creator's Inbox unless the body names a project) */
  task: givenTask,
  /** `count` tasks inserted into a project in one statement (lists, pagination, EXPLAIN); their ids */
  tasks: insertTasks,
  /** teamWithRoles plus a project and a tag */
  taskWorld: givenTaskWorld,
  webhook: givenWebhook,
}
