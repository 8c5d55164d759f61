import pino, { type DestinationStream, type Logger } from 'pino'
import type { Config } from './config.ts'

/** Fields never written to a log, whatever logs them. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.secret',
  '*.passwordHash',
]

// secrets a client may put in a query string (SSE tickets, tokens) are cut from logged URLs
const SECRET_QUERY = /([?&](?:ticket|token|access_token)=)[^&]*/gi
export const redactUrl = (url: string) => url.replace(SECRET_QUERY, '$1[Redacted]')

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT, censor: '[Redacted]' },
    serializers: {
      req: (req: {
        method: string
        url: string
        headers: Record<string, string>
        socket?: { remoteAddress?: string }
      }) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.socket?.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }
  if (destination) return pino(options, destination)
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } })
  }
  return pino(options)
}
