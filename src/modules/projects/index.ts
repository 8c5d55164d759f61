/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { projectsRoutes as routes } from './projects.routes.ts'
export { CreateProject } from './projects.schema.ts'
export { INBOX } from './projects.service.ts'
