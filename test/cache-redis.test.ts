import { afterAll, beforeAll, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { PrivateRedis, available, describeIf, eventually, freePort } from './helpers/services'
import { addToCart, checkoutCod } from './helpers/shop'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

// The Redis-backed cache: a private redis-server this file may stop and start, and a second
// server instance (a separate process) on the same database and Redis.

const hasRedis = available('redis-server')

let redisServer: PrivateRedis
let server: TestServer
let api: Api
let admin: Account
let second: Instance | undefined

describeIf(hasRedis, 'redis-server')('catalog cache on Redis', () => {
  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
    server = await startTestServer({ REDIS_URL: redisServer.url })
    api = client(server.url)
    admin = await firstAdmin(api)
    second = await startInstance({
      DATABASE_URI: process.env.DATABASE_URI ?? '',
      PAYLOAD_SECRET: process.env.PAYLOAD_SECRET ?? '',
      REDIS_URL: redisServer.url,
      LOG_LEVEL: 'warn',
    })
  }, 90_000)

  afterAll(async () => {
    await second?.stop()
    await server?.stop()
    await redisServer?.stop()
  })

  it('shares entries between instances through Redis', async () => {
    await create(api, admin.token, 'products', product({ title: 'Shared entry' }))
    const url = '/api/products?limit=10&where[title][equals]=Shared entry'.replace(/ /g, '%20')
    expect((await api(url)).headers.get('x-cache')).toBe('MISS')
    const other = await second!.api(url)
    expect(other.headers.get('x-cache')).toBe('HIT')
    expect((other.body as { totalDocs: number }).totalDocs).toBe(1)
  })

  it('a write on one instance is seen on the other’s very next read', async () => {
    const doc = await create(api, admin.token, 'products', product({ title: 'Version one' }))
    const url = `/api/products/${doc.id}`
    for (const [writer, reader] of [
      [api, second!.api],
      [second!.api, api],
    ] as const) {
      await reader(url)
      expect((await reader(url)).headers.get('x-cache')).toBe('HIT')
      const title = `Version ${Math.random()}`
      const patch = await writer(url, { method: 'PATCH', token: admin.token, json: { title } })
      expect(patch.status).toBe(200)
      const next = await reader<Doc>(url)
      expect(next.body.title).toBe(title)
    }
  })

  it('a checkout on one instance shows in the other’s product answers at once, and only there', async () => {
    const buyer = await verifiedCustomer(api, server.mailbox)
    const item = await create(api, admin.token, 'products', product({ title: 'Across instances', stock: 4 }))
    const url = `/api/products/${item.id}`
    for (const warmed of [url, '/api/brands?limit=2']) {
      await second!.api(warmed)
      expect((await second!.api(warmed)).headers.get('x-cache')).toBe('HIT')
    }
    expect((await addToCart(api, buyer.token, item.id, 1)).status).toBe(200)
    expect((await checkoutCod(api, buyer.token)).status).toBe(201)
    expect((await second!.api<Doc>(url)).body.stock).toBe(3)
    expect((await second!.api('/api/brands?limit=2')).headers.get('x-cache')).toBe('HIT')
  }, 60_000)

  it('a checkout and a cancellation on one instance show in the other’s cached answers, still hits', async () => {
    const buyer = await verifiedCustomer(api, server.mailbox)
    const item = await create(api, admin.token, 'products', product({ title: 'Overlaid across', stock: 6 }))
    const url = `/api/products/${item.id}`
    const list = '/api/products?limit=100&where[title][equals]=Overlaid%20across'
    const stockOf = (path: string, body: unknown): unknown =>
      path === url ? (body as Doc).stock : (body as { docs: Doc[] }).docs[0]?.stock
    const expectHits = async (stock: number): Promise<void> => {
      for (const path of [url, list]) {
        const res = await second!.api(path)
        expect(res.headers.get('x-cache')).toBe('HIT')
        expect(stockOf(path, res.body)).toBe(stock)
      }
    }
    for (const path of [url, list]) await second!.api(path)
    await expectHits(6)

    expect((await addToCart(api, buyer.token, item.id, 2)).status).toBe(200)
    const placed = await checkoutCod(api, buyer.token)
    expect(placed.status).toBe(201)
    await expectHits(4)

    const cancelled = await api(`/api/orders/${placed.body.order.id}/cancel`, {
      method: 'POST',
      token: buyer.token,
    })
    expect(cancelled.status).toBe(200)
    await expectHits(6)
  }, 60_000)

  it('an instance started after a checkout shows its stock on entries filled before it', async () => {
    const buyer = await verifiedCustomer(api, server.mailbox)
    const item = await create(api, admin.token, 'products', product({ title: 'Late instance', stock: 5 }))
    const url = `/api/products/${item.id}`
    await api(url)
    expect((await api(url)).headers.get('x-cache')).toBe('HIT')
    await second?.stop()
    expect((await addToCart(api, buyer.token, item.id, 2)).status).toBe(200)
    expect((await checkoutCod(api, buyer.token)).status).toBe(201)
    second = await startInstance({
      DATABASE_URI: process.env.DATABASE_URI ?? '',
      PAYLOAD_SECRET: process.env.PAYLOAD_SECRET ?? '',
      REDIS_URL: redisServer.url,
      LOG_LEVEL: 'warn',
    })
    const res = await eventually(
      () => second!.api<Doc>(url),
      (answer) => answer.headers.get('x-cache') === 'HIT',
    )
    expect(res.body.stock).toBe(3)
  }, 90_000)

  it('keeps answering while Redis is down, reports it, and resumes caching when it returns', async () => {
    const doc = await create(api, admin.token, 'products', product({ title: 'Through the outage' }))
    const url = `/api/products/${doc.id}`
    await api(url)
    expect((await api(url)).headers.get('x-cache')).toBe('HIT')

    await redisServer.stop()
    const ready = await eventually(
      () => api('/api/ready'),
      (res) => res.status === 503,
    )
    expect(ready.status).toBe(503)
    for (const target of [api, second!.api]) {
      const res = await target<Doc>(url)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-cache')).toBe('MISS')
    }
    // A write while Redis is away must not leave a stale entry behind once it is back.
    const patch = await api(url, {
      method: 'PATCH',
      token: admin.token,
      json: { title: 'Written during the outage' },
    })
    expect(patch.status).toBe(200)

    await redisServer.start()
    const resumed = await eventually(
      async () => {
        await api(url)
        return api(url)
      },
      (res) => res.headers.get('x-cache') === 'HIT',
    )
    expect(resumed.headers.get('x-cache')).toBe('HIT')
    expect((resumed.body as Doc).title).toBe('Written during the outage')
    expect((await api('/api/ready')).status).toBe(200)
    const onSecond = await eventually(
      () => second!.api<Doc>(url),
      (res) => res.status === 200,
    )
    expect(onSecond.body.title).toBe('Written during the outage')
  }, 60_000)

  it('logs a Redis outage without flooding', () => {
    const lines = second!
      .output()
      .split('\n')
      .filter((line) => line.includes('redis unavailable'))
    // One line per connection (commands, subscriber) and outage, not one per request.
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.length).toBeLessThanOrEqual(4)
  })
})
