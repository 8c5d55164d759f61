/** The module's routes (buildApp registers them under /api/v1 with its Deps). */
export { usersRoutes as routes } from './users.routes.ts'
export { Email, GlobalRole, Me, Name, User, UserSearch } from './users.schema.ts'
export { findUserByEmail, getUserRow, insertUser, listAllUsers, toMe, toUser } from './users.service.ts'
