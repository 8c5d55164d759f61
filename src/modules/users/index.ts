export { Email, GlobalRole, Me, Name, User, UserSearch } from './users.schema.ts'
export { findUserByEmail, getUserRow, insertUser, listAllUsers, toMe, toUser } from './users.service.ts'
