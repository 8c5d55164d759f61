/**
 * A failure the operator fixes (a busy port, a database held by another process): the CLI prints
 * its message as one line and exits 1, without a stack trace that would bury it.
 */
export class OperatorError extends Error {
  override name = 'OperatorError'
}
