/**
 * The typed HTTP client, generated from web/openapi.json (see `npm run gen:api`).
 * Every request carries the session cookie and the console's CSRF header.
 */
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'

export const CONSOLE_HEADERS = { 'X-Requested-With': 'dataasset-console' } as const

export const client = createClient<paths>({
  baseUrl: '',
  credentials: 'include',
  headers: { ...CONSOLE_HEADERS },
})

type UnauthorizedHandler = () => void
let onUnauthorized: UnauthorizedHandler | null = null

/** Called when a request other than login/me is answered 401 (the session expired). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler
}

const sessionWatcher: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url, window.location.origin).pathname.startsWith('/api/auth/')) {
      onUnauthorized?.()
    }
    return undefined
  },
}
client.use(sessionWatcher)
