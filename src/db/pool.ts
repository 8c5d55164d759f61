import pg from 'pg'

/**
 * A pg pool that survives its server going away (a restart or failover ends every session):
 *
 * - pg-pool listens for errors only on idle clients, so one checked out (a transaction between two
 *   statements) whose connection drops would throw an uncaught 'error' and end the process. Every
 *   client gets a listener of its own: its pending and next queries fail instead.
 * - Drizzle's node-postgres `transaction()` runs BEGIN before the try/finally that releases the
 *   client (drizzle-orm#6241, open in 0.45): a BEGIN on a dead connection never gave the client
 *   back, and a few restarts exhausted the pool and hung the shutdown in `pool.end()`. A client
 *   checked out with `connect()` is released (and discarded) as soon as its connection fails, and
 *   its `release` becomes idempotent so the holder's own release later is harmless.
 */
export class ResilientPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super(config)
    this.on('connect', (client) => client.on('error', () => {}))
  }

  // the callback form is pg-pool's own `query()`, which already releases on error
  override connect(): Promise<pg.PoolClient>
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void
  override connect(callback?: Parameters<pg.Pool['connect']>[0]): Promise<pg.PoolClient> | undefined {
    if (callback) return void super.connect(callback)
    return super.connect().then(releasedWhenBroken)
  }
}

function releasedWhenBroken(client: pg.PoolClient): pg.PoolClient {
  const release = client.release.bind(client)
  let released = false
  const once = (err?: Error | boolean) => {
    if (released) return
    released = true
    client.removeListener('error', onError)
    release(err)
  }
  const onError = (err: Error) => once(err)
  client.on('error', onError)
  client.release = once
  return client
}
