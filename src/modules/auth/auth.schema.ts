import { z } from 'zod'
import { Email, Name, User } from '../users/users.schema.ts'

export const Password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .meta({ description: '8..256 characters, not one of the 10,000 most common passwords' })

export const Register = z.strictObject({ email: Email, password: Password, name: Name })
export const Login = z.strictObject({ email: Email, password: z.string().min(1).max(256) })
export const RefreshTokenBody = z.strictObject({ refreshToken: z.string().min(1).max(200) })

export const AuthResult = z
  .object({
    user: User,
    accessToken: z.string().max(4096),
    refreshToken: z.string().max(200),
    expiresIn: z.number().int().meta({ format: 'int32', description: 'Access token lifetime in seconds' }),
  })
  .meta({ id: 'AuthResult' })
export const TokenPairResult = AuthResult.omit({ user: true }).meta({ id: 'TokenPair' })
export const ChangePassword = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: Password })
