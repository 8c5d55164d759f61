/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { jobsRoutes as routes } from './jobs.routes.ts'
