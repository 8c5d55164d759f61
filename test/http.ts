import type { FastifyInstance } from 'fastify'

type Headers = Record<string, string>

/**
 * The API as a test calls it: `const { get, post, patch, put, del } = http(t)`, each request with the
 * headers given (a user's `auth`). `t.app` is read at each call, so the test app of `useTestApp`
 * (built in beforeAll) can be named at the top of a file.
 */
export function http(t: { readonly app: FastifyInstance }) {
  return {
    get: (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers }),
    post: (url: string, headers: Headers, payload?: object) => t.app.inject({ method: 'POST', url, headers, payload }),
    patch: (url: string, headers: Headers, payload: object) => t.app.inject({ method: 'PATCH', url, headers, payload }),
    put: (url: string, headers: Headers, payload: object) => t.app.inject({ method: 'PUT', url, headers, payload }),
    del: (url: string, headers: Headers) => t.app.inject({ method: 'DELETE', url, headers }),
  }
}

/** The headers of a bearer token (a personal access token's secret, or an access token). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
