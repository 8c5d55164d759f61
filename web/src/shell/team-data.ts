import { useQuery } from '@tanstack/react-query'
import { api } from '../api/client.ts'
import { unwrap } from '../api/problem.ts'

/** The team's members (for assignee pickers and filters). */
export const useMembers = (teamId: string, enabled = true) =>
  useQuery({
    enabled,
    queryKey: ['members', teamId],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/teams/{id}/members', { params: { path: { id: teamId }, query: { limit: 100 } } }))
        .items,
  })

/** The team's tags. */
export const useTags = (teamId: string, enabled = true) =>
  useQuery({
    enabled,
    queryKey: ['tags', teamId],
    queryFn: async () => unwrap(await api.GET('/api/v1/tags', { params: { query: { teamId, limit: 100 } } })).items,
  })
