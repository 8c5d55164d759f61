/**
 * A dependency /ready reports on. `critical` ones (database, storage) turn the answer into 503
 * when down; the others (Redis) only into `degraded`, because the instance still serves without them.
 */
export interface ReadinessCheck {
  name: string
  critical: boolean
  check(): Promise<void>
}
