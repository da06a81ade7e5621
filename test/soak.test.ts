import { afterAll, expect, it } from '@jest/globals'

import { createTestDatabase } from './helpers/database'
import type { TestDatabase } from './helpers/database'
import { runBench } from './helpers/runBench'

// The soak benchmark (bench/soak.ts) for a short while, as CI runs it: the whole storefront mix
// against a production server process must give no error and no missed socket event. The full
// five minutes run from the README (npm run bench:soak).

type SoakResult = {
  requests: number
  errors: number
  orders: number
  expectedEvents: number
  receivedEvents: number
  disconnects: number
  heapGrowth: number
}

let database: TestDatabase | undefined

afterAll(async () => {
  await database?.drop()
})

it('a short soak: browse, cart, checkout and sockets with no error', async () => {
  database = await createTestDatabase()
  const { result } = await runBench<SoakResult>('soak', 'SOAK_RESULT', database, {
    SOAK_SECONDS: process.env.SOAK_SECONDS ?? '20',
    SOAK_USERS: '8',
    SOAK_SOCKETS: '4',
    BENCH_REDIS_URL: '',
  })
  expect({ errors: result.errors, disconnects: result.disconnects }).toEqual({ errors: 0, disconnects: 0 })
  expect(result.requests).toBeGreaterThan(100)
  expect(result.orders).toBeGreaterThan(0)
  expect(result.receivedEvents).toBe(result.expectedEvents)
  // Twenty seconds say little about memory (the full run is the measure): only a gross leak fails.
  expect(result.heapGrowth).toBeLessThan(0.5)
}, 240_000)
