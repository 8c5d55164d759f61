export { CreateComment } from './comments.schema.ts'
