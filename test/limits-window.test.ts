import { afterAll, beforeAll, expect, it } from '@jest/globals'

import { client } from './helpers/http'
import type { Api, ApiResponse } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'

// The end of a rate-limit window, on its own server with a 2-second window (the other limit
// tests need windows no slow run can outlive).

const AUTH_MAX = 2

let server: TestServer
let api: Api

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_WINDOW_S: '2', RATE_LIMIT_AUTH_MAX: String(AUTH_MAX) })
  api = client(server.url)
})

afterAll(async () => {
  await server?.stop()
})

const failedLogin = () =>
  api('/api/users/login', { json: { email: 'nobody@example.test', password: 'wrong-password' } })

it('lets the address in again once Retry-After has passed', async () => {
  // On a slow machine the window may end before the budget is spent: keep trying until refused.
  let limited: ApiResponse | undefined
  for (let i = 0; i < 20 && !limited; i++) {
    const res = await failedLogin()
    if (res.status === 429) limited = res
    else expect(res.status).toBe(401)
  }
  expect(limited?.status).toBe(429)
  const retryAfter = Number(limited!.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(2)
  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 250))
  expect((await failedLogin()).status).toBe(401)
})
