import createClient from 'openapi-fetch'
import type { Client, Middleware } from 'openapi-fetch'

import type { components, operations, paths } from './schema'

// A typed client for storefronts: openapi-fetch over the generated types (client/schema.d.ts), so
// every path, body and answer is checked by the TypeScript compiler against the store's API.

export type { components, operations, paths }
export type StoreClient = Client<paths>

export type StoreClientOptions = {
  /** The store's base URL, e.g. `http://localhost:3000`. */
  baseUrl: string
  /** The token from `POST /api/users/login`; read on every request, so it may change. */
  token?: () => string | undefined
  fetch?: typeof fetch
}

export function storeClient({ baseUrl, token, fetch: fetchImpl }: StoreClientOptions): StoreClient {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl && { fetch: fetchImpl }) })
  const auth: Middleware = {
    onRequest({ request }) {
      const current = token?.()
      if (current) request.headers.set('Authorization', `JWT ${current}`)
      return request
    },
  }
  client.use(auth)
  return client
}
