export type { LogConsumer } from './log-dispatcher.ts'
