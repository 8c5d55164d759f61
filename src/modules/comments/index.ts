/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { commentsRoutes as routes } from './comments.routes.ts'
export { CreateComment } from './comments.schema.ts'
