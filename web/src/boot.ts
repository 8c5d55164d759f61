import { prefetchFirstScreen } from './prefetch.ts'
import { createQueryClient } from './query-client.ts'

/**
 * The app's cache, with the first screen's requests already on their way: main.tsx imports this
 * module first, so they leave before React's modules are evaluated.
 */
export const queryClient = createQueryClient()
prefetchFirstScreen(queryClient)
