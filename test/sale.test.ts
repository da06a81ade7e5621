import { afterAll, expect, it } from '@jest/globals'

import { createTestDatabase } from './helpers/database'
import type { TestDatabase } from './helpers/database'
import { runBench } from './helpers/runBench'
import { PrivateRedis, available, freePort } from './helpers/services'

// The flash-sale benchmark (bench/sale.ts) in small, as CI runs it: one hot product sold out by
// concurrent checkouts while 50 connections keep reading it must oversell nothing, answer every
// read, and never show more stock than the acknowledged checkouts left. Speed is the full run's
// business (npm run bench:sale), not this test's.

type SaleResult = {
  customers: number
  stock: number
  checkout: { created: number; conflicts: number; emptyCart: number; other: number }
  remaining: number
  ordersForHot: number
  oversell: number
  stale: number
  missing: number
  unanswered: number
  readErrors: number
  during: { rps: number }
}

const CUSTOMERS = 30
const STOCK = 20

let database: TestDatabase | undefined
let redis: PrivateRedis | undefined

afterAll(async () => {
  await redis?.stop()
  await database?.drop()
})

it('a short flash sale: no oversell, no stale or unanswered read', async () => {
  database = await createTestDatabase()
  // A private Redis when there is one, so the cache under test is the production one.
  if (available('redis-server')) {
    redis = new PrivateRedis(await freePort())
    await redis.start()
  }
  const { result, code } = await runBench<SaleResult>('sale', 'SALE_RESULT', database, {
    BENCH_CUSTOMERS: String(CUSTOMERS),
    BENCH_STOCK: String(STOCK),
    BENCH_IN_FLIGHT: '5',
    BENCH_SECONDS: '1',
    BENCH_WARMUP_ORDERS: '5',
    BENCH_REDIS_URL: redis?.url ?? '',
  })
  expect({
    oversell: result.oversell,
    stale: result.stale,
    missing: result.missing,
    unanswered: result.unanswered,
    readErrors: result.readErrors,
  }).toEqual({ oversell: 0, stale: 0, missing: 0, unanswered: 0, readErrors: 0 })
  // Every checkout answered 201 or 409 (sold out), and exactly the stock was sold.
  expect(result.checkout).toMatchObject({
    created: STOCK,
    conflicts: CUSTOMERS - STOCK,
    emptyCart: 0,
    other: 0,
  })
  expect({ remaining: result.remaining, ordersForHot: result.ordersForHot }).toEqual({
    remaining: 0,
    ordersForHot: STOCK,
  })
  // The reads really overlapped the checkouts (else "no stale read" would say nothing).
  expect(result.during.rps).toBeGreaterThan(0)
  expect(code).toBe(0)
}, 120_000)
