/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { tagsRoutes as routes } from './tags.routes.ts'
export { CreateTag } from './tags.schema.ts'
