import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { createTestDatabase } from './helpers/database'
import type { TestDatabase } from './helpers/database'
import { client } from './helpers/http'
import type { Api, ApiResponse } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { PrivateRedis, available, describeIf, eventually, freePort } from './helpers/services'
import { addToCart, checkoutCod } from './helpers/shop'
import { TcpProxy } from './helpers/tcpProxy'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Faults under load: Redis stopped and restarted, the database connection lost and restored
// (PostgreSQL, through a TCP proxy). SIGTERM under load is test/shutdown.test.ts.

const hasRedis = available('redis-server')
const onPostgres = (process.env.TEST_DATABASE_URI ?? '').startsWith('postgres')
// Limits of the abuse protection: this file measures faults, not them.
const NO_RATE_LIMITS = { RATE_LIMIT_AUTH_MAX: '1000000', RATE_LIMIT_CHECKOUT_MAX: '1000000' }

type Ready = { status?: string; errors?: { message: string; data?: { checks?: Record<string, string> } }[] }

let redisServer: PrivateRedis | undefined
let proxy: TcpProxy | undefined
let proxiedDatabase: TestDatabase | undefined
let server: TestServer
let api: Api
let admin: Account

beforeAll(async () => {
  if (hasRedis) {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
  }
  const env: Record<string, string> = { ...NO_RATE_LIMITS, LOW_STOCK_THRESHOLD: '0' }
  if (redisServer) env.REDIS_URL = redisServer.url
  if (onPostgres) {
    // The server reaches PostgreSQL only through the proxy, so the test can cut it.
    proxiedDatabase = await createTestDatabase()
    const target = new URL(proxiedDatabase.uri)
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start()
    target.hostname = '127.0.0.1'
    target.port = String(proxy.port)
    env.DATABASE_URI = target.toString()
  }
  server = await startTestServer(env)
  api = client(server.url)
  admin = await firstAdmin(api)
}, 150_000)

afterAll(async () => {
  await proxy?.set('forward')
  await server?.stop()
  await proxy?.stop()
  await proxiedDatabase?.drop()
  await redisServer?.stop()
})

/** Runs `step` in `parallel` loops until stopped; collects every answer. */
function load<T>(parallel: number, step: (i: number) => Promise<T>) {
  let running = true
  const results: T[] = []
  // A failed step ends its loop (the test then sees too few answers) instead of running on.
  const loops = Array.from({ length: parallel }, async (_, i) => {
    while (running) results.push(await step(i))
  }).map((loop) => loop.catch(() => undefined))
  return {
    results,
    stop: async () => {
      running = false
      await Promise.all(loops)
      return results
    },
  }
}

const statuses = (answers: { status: number }[]) =>
  [...new Set(answers.map((answer) => answer.status))].sort()

describeIf(hasRedis, 'redis-server')('Redis stopped under load', () => {
  it('reads and checkouts keep answering 2xx, /api/ready names redis, caching resumes', async () => {
    const products = await Promise.all(
      Array.from({ length: 4 }, () => create(api, admin.token, 'products', product({ stock: 100_000 }))),
    )
    const customers = await customersViaLocalApi(server.payload, api, 4, 'redis-fault')
    const urls = products.map((doc) => `/api/products/${doc.id}`)
    urls.push('/api/products?limit=10&depth=1')
    for (const url of urls) await api(url)
    expect((await api(urls[0]!)).headers.get('x-cache')).toBe('HIT')

    const reads = load(6, (i) => api(urls[i % urls.length]!))
    const checkouts = load(customers.length, async (i) => {
      const customer = customers[i]!
      const added = await addToCart(api, customer.token, products[i % products.length]!.id, 1)
      const done = await checkoutCod(api, customer.token)
      return { status: added.status >= 300 ? added.status : done.status, text: done.text }
    })
    await new Promise((resolve) => setTimeout(resolve, 1000))

    await redisServer!.stop()
    // Under a loaded CI machine one database ping can outlast its 2 s bound and read as down too:
    // wait for the answer that names Redis alone, which is what this outage must come to.
    const down = await eventually(
      () => api<Ready>('/api/ready'),
      (res) => res.status === 503 && res.body.errors?.[0]?.data?.checks?.database === 'up',
    )
    expect(down.status).toBe(503)
    expect(down.body.errors?.[0]?.message).toMatch(/redis/)
    expect(down.body.errors?.[0]?.data?.checks).toMatchObject({ redis: 'down', database: 'up' })
    // Redis stays away until enough work has gone through without it (slow machines take longer).
    const readsBefore = reads.results.length
    const checkoutsBefore = checkouts.results.length
    await eventually(
      async () => [reads.results.length - readsBefore, checkouts.results.length - checkoutsBefore],
      ([readCount, checkoutCount]) => readCount! >= 20 && checkoutCount! >= 2 * customers.length,
      60_000,
    )
    const duringOutage = {
      reads: reads.results.slice(readsBefore),
      checkouts: checkouts.results.slice(checkoutsBefore),
    }

    await redisServer!.start()
    // Every checkout changes stock, which invalidates the catalog: HITs need a pause in them.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const checkoutAnswers = await checkouts.stop()
    const resumed = await eventually(
      async () => {
        await api(urls[1]!)
        return api(urls[1]!)
      },
      (res) => res.headers.get('x-cache') === 'HIT',
      20_000,
    )
    expect(resumed.headers.get('x-cache')).toBe('HIT')
    expect((await api('/api/ready')).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 500))

    const readAnswers = await reads.stop()
    // Work went on through the outage, and nothing failed.
    expect(duringOutage.reads.length).toBeGreaterThanOrEqual(20)
    expect(duringOutage.checkouts.length).toBeGreaterThanOrEqual(2 * customers.length)
    expect(duringOutage.reads.some((res) => res.headers.get('x-cache') === 'MISS')).toBe(true)
    expect(statuses(readAnswers)).toEqual([200])
    expect(statuses(checkoutAnswers)).toEqual([201])
  }, 200_000)
})

const describeOnPostgres = onPostgres ? describe : describe.skip
if (!onPostgres)
  console.warn(
    'skipping the database-connection fault: it needs PostgreSQL (TEST_DATABASE_URI=postgres://…); ' +
      'an embedded SQLite file has no connection to lose',
  )

describeOnPostgres('the database connection lost and restored (PostgreSQL through a proxy)', () => {
  let customer: Account
  let item: Doc

  const timed = async <T>(run: () => Promise<ApiResponse<T>>) => {
    const started = Date.now()
    const res = await run()
    return { res, ms: Date.now() - started }
  }

  /** What a storefront does, each expected to answer `status` (cache misses, so the database is needed). */
  const storefront = (tag: string) => [
    () => api(`/api/products?where[title][equals]=${tag}-${Math.random()}`),
    () => api('/api/carts/mine', { token: customer.token }),
    () => api('/api/orders', { token: customer.token }),
    () => api('/api/users/me', { token: customer.token }),
    () => api('/api/graphql', { json: { query: '{ Products(limit: 1) { totalDocs } }' } }),
    () => checkoutCod(api, customer.token),
  ]

  beforeAll(async () => {
    ;[customer] = (await customersViaLocalApi(server.payload, api, 1, 'db-fault')) as [Account]
    item = await create(api, admin.token, 'products', product({ stock: 1000 }))
    expect((await addToCart(api, customer.token, item.id, 1)).status).toBe(200)
  })

  it('a partition (connections accepted, never answered): 503 within a bounded time', async () => {
    await proxy!.set('blackhole')
    const { res, ms } = await timed(() => api('/api/carts/mine', { token: customer.token }))
    expect(res.status).toBe(503)
    expect(ms).toBeLessThan(15_000)
    const ready = await timed(() => api<Ready>('/api/ready'))
    expect(ready.res.status).toBe(503)
    expect(ready.res.body.errors?.[0]?.data?.checks?.database).toBe('down')
    expect(ready.ms).toBeLessThan(5000)
  }, 60_000)

  it('a lost connection: every request answers 503 quickly, /api/ready names the database', async () => {
    await proxy!.set('refuse')
    for (const run of storefront('refused')) {
      const { res, ms } = await timed(run)
      expect({ status: res.status, text: res.text }).toMatchObject({ status: 503 })
      expect(ms).toBeLessThan(5000)
    }
    const ready = await api<Ready>('/api/ready')
    expect(ready.status).toBe(503)
    expect(ready.body.errors?.[0]?.message).toMatch(/database/)
    expect(ready.body.errors?.[0]?.data?.checks?.database).toBe('down')
    expect((await api('/api/health')).status).toBe(200)
  }, 60_000)

  it('recovers by itself once the database is back, without a restart', async () => {
    await proxy!.set('forward')
    const cart = await eventually(
      () => api('/api/carts/mine', { token: customer.token }),
      (res) => res.status === 200,
      20_000,
    )
    expect(cart.status).toBe(200)
    // A ping sent before the proxy forwarded again may still be finishing (one in flight at a time).
    const ready = await eventually(
      () => api('/api/ready'),
      (res) => res.status === 200,
      5_000,
    )
    expect(ready.status).toBe(200)
    const order = await checkoutCod(api, customer.token)
    expect(order.status).toBe(201)
    expect(order.body.order.items[0]?.product).toBe(item.id)
    expect((await api('/api/orders', { token: customer.token })).status).toBe(200)
    expect((await api(`/api/products?where[title][equals]=back-${Math.random()}`)).status).toBe(200)
  }, 60_000)
})
