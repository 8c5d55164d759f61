import pino, { type DestinationStream, type Logger } from 'pino'
import type { Config } from './config.ts'
import { describeQueryFailure, isQueryError, queryFailureMessage } from './db/errors.ts'

/** Fields never written to a log, whatever logs them. */
const REDACT = [
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
  '*.token',
]

// secrets a client may put in a query string (SSE tickets, tokens) are cut from logged URLs
const SECRET_QUERY = /([?&](?:ticket|token|access_token)=)[^&]*/gi
const redactUrl = (url: string) => url.replace(SECRET_QUERY, '$1[Redacted]')

/**
 * pino's error serializer, except for a failed query: its message, `params` and the server's
 * `detail` carry bound parameters (secrets, hashes), so it is logged by name only (see
 * describeQueryFailure). Every logged error passes here, so no query, present or future, can leak.
 */
export function serializeError(err: unknown): unknown {
  const failure = describeQueryFailure(err)
  if (!failure) return pino.stdSerializers.err(err as Error)
  const e = err as Error
  const type = e.constructor?.name ?? 'Error'
  // an error of ours that wraps the failed query keeps its own message
  const message = [isQueryError(e) ? undefined : e.message, queryFailureMessage(failure)].filter(Boolean).join(': ')
  const frames = String(e.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
  return { type, message, stack: [`${type}: ${message}`, ...frames].join('\n'), ...failure }
}

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.LOG_LEVEL,
    // "level":"info" rather than 30: what log shippers and people reading raw JSON expect
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[Redacted]' },
    serializers: {
      err: serializeError,
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
