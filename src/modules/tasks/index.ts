export type { ListCache } from './list-cache.ts'
export { createListCache } from './list-cache.ts'
export { priorityOf, rankOf, taskRef, tsQuery } from './tasks.queries.ts'
export { nextPosition } from './tasks.refs.ts'
/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { tasksRoutes as routes } from './tasks.routes.ts'
export { CreateTask, MAX_TAGS_PER_TASK, Task, TaskPriority, TaskQuery, TaskStatus } from './tasks.schema.ts'
export { deleteTask, listTasks } from './tasks.service.ts'
export { unassignInTeam } from './tasks.unassign.ts'
