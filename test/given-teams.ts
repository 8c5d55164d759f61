// The old factory names, for the test files not yet converted to `given` (issue 17); nothing of its own.

export { activityOf } from './activity.ts'
export * from './given/teams.ts'
