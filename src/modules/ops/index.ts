/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { opsRoutes as routes } from './ops.routes.ts'
