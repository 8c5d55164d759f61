/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { notesRoutes as routes } from './notes.routes.ts'
