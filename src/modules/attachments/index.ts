/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { attachmentsRoutes as routes } from './attachments.routes.ts'
export { FileBytes, FileUpload } from './attachments.schema.ts'
export type { FilesDeps } from './attachments.service.ts'
