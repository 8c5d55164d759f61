export { CreateTag } from './tags.schema.ts'
