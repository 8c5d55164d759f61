import { z } from 'zod'
import { Text } from '../../http/schemas.ts'
import { Email, Name, User } from '../users/index.ts'

export const Password = Text.min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .meta({ description: '8..256 characters, not one of the 10,000 most common passwords' })

export const Register = z
  .strictObject({
    email: Email,
    password: Password,
    name: Name,
    invitationToken: Text.min(16).max(200).optional().meta({
      description:
        'The token of an invitation link: joins its team. Needed when registration is by invitation; the email must be the invited one',
    }),
  })
  .meta({ id: 'Register', description: 'A new account' })
export const Login = z
  .strictObject({ email: Email, password: Text.min(1).max(256) })
  .meta({ id: 'Login', description: 'Email and password' })
export const RefreshTokenBody = z
  .strictObject({ refreshToken: Text.min(1).max(200) })
  .meta({ id: 'RefreshToken', description: 'A refresh token from sign-in or the last refresh' })

export const AuthResult = z
  .object({
    user: User,
    accessToken: z.string().max(4096),
    refreshToken: z.string().max(200),
    expiresIn: z.number().int().meta({ format: 'int32', description: 'Access token lifetime in seconds' }),
  })
  .meta({ id: 'AuthResult', description: 'The signed-in user with a new access and refresh token' })
const PendingVerification = z
  .object({
    user: User,
    emailVerificationRequired: z.literal(true).meta({ description: 'No session until the emailed link is used' }),
  })
  .meta({
    id: 'PendingVerification',
    description: 'The account exists; signing in waits for its address to be verified (EMAIL_VERIFICATION=required)',
  })
export const RegisterResult = z
  .union([AuthResult, PendingVerification])
  .meta({ id: 'RegisterResult', description: 'A session, or (when verification is required) the wait for it' })
const SecondFactorChallenge = z
  .object({
    secondFactorRequired: z.literal(true),
    challengeToken: z.string().max(200).meta({ description: 'Send it with a code to POST /auth/login/second-factor' }),
    expiresIn: z.number().int().min(1).max(3600).meta({ format: 'int32', description: 'Seconds the challenge lives' }),
  })
  .meta({ id: 'SecondFactorChallenge', description: 'The password was right; a code of the second factor is needed' })
export const LoginResult = z
  .union([AuthResult, SecondFactorChallenge])
  .meta({ id: 'LoginResult', description: 'A session, or (with two-factor sign-in on) the challenge for a code' })
export const TokenPairResult = AuthResult.omit({ user: true }).meta({
  id: 'TokenPair',
  description: 'A new access token and the refresh token that replaces the one sent',
})
export const ChangePassword = z
  .strictObject({ currentPassword: Text.min(1).max(256), newPassword: Password })
  .meta({ id: 'ChangePassword', description: 'The current password and the new one' })
