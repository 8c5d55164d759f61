import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { watchProcessErrors } from './lifecycle.ts'
import { createLogger } from './logger.ts'

function watched() {
  const source = new EventEmitter()
  const failed: unknown[] = []
  watchProcessErrors({
    logger: createLogger({ LOG_LEVEL: 'silent' }),
    fail: (err) => failed.push(err),
    source: source as unknown as NodeJS.Process,
  })
  return { source, failed }
}

const serverSaid = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' })

describe('an error nothing handled', () => {
  it.each([
    [
      'a connection the server ended (restart)',
      serverSaid('57P01', 'terminating connection due to administrator command'),
    ],
    ['a connection that dropped', new Error('Connection terminated unexpectedly')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [
      'a wrapped one',
      new Error('Failed query: begin', { cause: serverSaid('57P03', 'the database system is starting up') }),
    ],
  ])('is survived when it is %s', (_, err) => {
    const { source, failed } = watched()
    source.emit('uncaughtException', err)
    source.emit('unhandledRejection', err)
    expect(failed).toEqual([])
  })

  it.each([
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a statement the database rejected', serverSaid('23505', 'duplicate key value violates unique constraint')],
    ['a rejection with no error', 'nope'],
  ])('shuts the process down when it is %s', (_, err) => {
    const { source, failed } = watched()
    source.emit('uncaughtException', err)
    source.emit('unhandledRejection', err)
    expect(failed).toEqual([err, err])
  })
})
