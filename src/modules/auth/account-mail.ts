import { composeMail } from '../../infra/mail-compose.ts'
import type { MailMessage } from '../../infra/mailer.ts'

const IGNORE = 'If you did not expect this email, you can ignore it: nothing changes until the link is used.'
const link = (base: string, route: string, token: string) => `${base}${route}?token=${encodeURIComponent(token)}`
const duration = (seconds: number) =>
  seconds >= 2 * 3600 ? `${Math.round(seconds / 3600)} hours` : `${Math.round(seconds / 60)} minutes`

/** The web app's routes these links open (docs/auth.md, Accounts). */
const ROUTES = {
  resetPassword: '/reset-password',
  verifyEmail: '/verify-email',
  acceptInvitation: '/invitations/accept',
} as const

export function passwordResetMail(to: string, token: string, ttlSeconds: number, base: string): MailMessage {
  return composeMail(
    to,
    'Reset your Tasklane password',
    [
      'Someone (hopefully you) asked to reset the password of your Tasklane account.',
      `The link below works once, for ${duration(ttlSeconds)}. Setting a new password signs you out everywhere.`,
    ],
    { url: link(base, ROUTES.resetPassword, token), label: 'Choose a new password' },
    IGNORE,
  )
}

export function passwordSetMail(
  to: string,
  token: string,
  ttlSeconds: number,
  base: string,
  welcome: boolean,
): MailMessage {
  return composeMail(
    to,
    welcome ? 'Your Tasklane account is ready' : 'Set your Tasklane password',
    [
      welcome
        ? 'An administrator created a Tasklane account for you. Choose a password to sign in.'
        : 'An administrator sent you a link to set the password of your Tasklane account.',
      `The link below works once, for ${duration(ttlSeconds)}.`,
    ],
    { url: link(base, ROUTES.resetPassword, token), label: 'Set your password' },
    IGNORE,
  )
}

export function verifyEmailMail(
  to: string,
  token: string,
  ttlSeconds: number,
  base: string,
  change: boolean,
): MailMessage {
  return composeMail(
    to,
    change ? 'Confirm your new Tasklane email address' : 'Verify your Tasklane email address',
    [
      change
        ? 'Someone (hopefully you) asked to use this address for their Tasklane account. It changes once you open the link below.'
        : 'Please confirm that this address is yours by opening the link below.',
      `The link works once, for ${duration(ttlSeconds)}.`,
    ],
    { url: link(base, ROUTES.verifyEmail, token), label: change ? 'Use this address' : 'Verify the address' },
    IGNORE,
  )
}

export function emailChangedMail(to: string, newEmail: string): MailMessage {
  return composeMail(
    to,
    'Your Tasklane email address was changed',
    [
      `The email address of your Tasklane account is now ${newEmail}; this one is no longer used for it.`,
      'If you did not make this change, reset your password from the sign-in page and contact your administrator.',
    ],
    null,
    'You get this because the address of your account changed.',
  )
}
