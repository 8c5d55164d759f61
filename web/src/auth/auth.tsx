import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useSyncExternalStore } from 'react'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'
import type { AuthResult } from '../api/types.ts'
import { clearSession, getSession, saveSession, subscribe } from './session.ts'

export const useSignedIn = () => useSyncExternalStore(subscribe, () => getSession() !== null)

/** How people sign up and sign in here (registration policy, single sign-on), from GET auth/settings. */
export function useAuthSettings(enabled = true) {
  return useQuery({
    queryKey: ['auth-settings'],
    queryFn: async () => unwrap(await api.GET('/api/v1/auth/settings')),
    enabled,
    staleTime: 5 * 60_000,
  })
}

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => unwrap(await api.GET('/api/v1/users/me')),
  })
}

/** Sign in, sign up and the two ways out; each leaves no data of the previous person in the cache. */
export function useAuthActions() {
  const queryClient = useQueryClient()
  const start = useCallback(
    (result: AuthResult) => {
      queryClient.clear()
      saveSession(result)
    },
    [queryClient],
  )
  const end = useCallback(
    async (everywhere: boolean) => {
      const session = getSession()
      try {
        if (everywhere) await api.POST('/api/v1/auth/logout-all')
        else if (session) await api.POST('/api/v1/auth/logout', { body: { refreshToken: session.refreshToken } })
      } finally {
        // signed out here even if the server could not be told: the token then just expires
        clearSession()
        queryClient.clear()
      }
    },
    [queryClient],
  )
  return {
    /** Signs in, or returns the challenge when the account asks for a second factor. */
    signIn: async (body: { email: string; password: string }): Promise<{ challengeToken: string } | null> => {
      const result = unwrap(await api.POST('/api/v1/auth/login', { body }))
      if ('secondFactorRequired' in result) return { challengeToken: result.challengeToken }
      start(result)
      return null
    },
    /** Swaps the code of a finished single sign-on for a session, or returns the second-factor challenge. */
    exchangeSsoCode: async (code: string): Promise<{ challengeToken: string } | null> => {
      const result = unwrap(await api.POST('/api/v1/auth/oidc/exchange', { body: { code } }))
      if ('secondFactorRequired' in result) return { challengeToken: result.challengeToken }
      start(result)
      return null
    },
    /** The second step: the challenge of signIn and a code of the authenticator (or a recovery code). */
    completeSecondFactor: async (body: { challengeToken: string; code: string }) =>
      start(unwrap(await api.POST('/api/v1/auth/login/second-factor', { body }))),
    /** Signs the new person in; false when the server first wants their address verified (no session yet). */
    signUp: async (body: { name: string; email: string; password: string; invitationToken?: string }) => {
      const result = unwrap(await api.POST('/api/v1/auth/register', { body }))
      if ('emailVerificationRequired' in result) return false
      start(result)
      return true
    },
    signOut: () => end(false),
    signOutEverywhere: () => end(true),
  }
}
