export { CreateProject } from './projects.schema.ts'
export { INBOX } from './projects.service.ts'
