// The old factory names, for the test files not yet converted to `given` (issue 17); nothing of its own.

export { activityOfTask } from './activity.ts'
export * from './given/tasks.ts'
export * from './tasks.ts'
