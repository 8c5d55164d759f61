export { FileBytes, FileUpload } from './attachments.schema.ts'
export type { FilesDeps } from './attachments.service.ts'
