import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product, uniqueSku } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { PrivateRedis, available, describeIf, freePort } from './helpers/services'
import { checkoutCod } from './helpers/shop'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Product answers carry their published variants, cached and never stale: a checkout's or a
// cancellation's variant stock shows on the next read (still a hit: overlaid), and an admin's
// variant write on the next read too — in one process, and with Redis on every instance.

const hasRedis = available('redis-server')

let redisServer: PrivateRedis | undefined
let server: TestServer
let api: Api
let admin: Account
let buyer: Account
let second: Instance | undefined

type Carried = { id: number | string; title: string; stock: number; price: number }
type WithVariants = Doc & { variants: Carried[] }

beforeAll(async () => {
  if (hasRedis) {
    redisServer = new PrivateRedis(await freePort())
    await redisServer.start()
  }
  server = await startTestServer({ REDIS_URL: redisServer?.url })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[buyer] = (await customersViaLocalApi(server.payload, api, 1, 'cachevar')) as [Account]
  if (redisServer) {
    second = await startInstance({
      DATABASE_URI: process.env.DATABASE_URI ?? '',
      PAYLOAD_SECRET: process.env.PAYLOAD_SECRET ?? '',
      REDIS_URL: redisServer.url,
      LOG_LEVEL: 'warn',
    })
  }
}, 90_000)

afterAll(async () => {
  await second?.stop()
  await server?.stop()
  await redisServer?.stop()
})

async function teeWithVariants(title: string): Promise<{ tee: Doc; small: Doc; large: Doc }> {
  const tee = await create(
    api,
    admin.token,
    'products',
    product({ title, price: 1500, stock: 0, options: [{ name: 'Size', values: ['S', 'L'] }] }),
  )
  const variant = (size: string) =>
    create(api, admin.token, 'variants', {
      product: tee.id,
      options: { Size: size },
      sku: uniqueSku('CACHE'),
      stock: 6,
      status: 'published',
    })
  return { tee, small: await variant('S'), large: await variant('L') }
}

const stocks = (body: WithVariants | undefined): number[] => (body?.variants ?? []).map((each) => each.stock)

async function buy(tee: Doc, variant: Doc, quantity: number) {
  await api('/api/carts/mine', { method: 'DELETE', token: buyer.token })
  const added = await api('/api/carts/mine/items', {
    token: buyer.token,
    json: { product: tee.id, variant: variant.id, quantity },
  })
  expect(added.status).toBe(200)
  const placed = await checkoutCod(api, buyer.token)
  expect(placed.status).toBe(201)
  return placed.body.order
}

describe('one instance', () => {
  it('a checkout and a cancellation leave product answers cached, showing the variant stock they left', async () => {
    const { tee, small } = await teeWithVariants('Overlaid tee')
    const url = `/api/products/${tee.id}`
    const list = '/api/products?limit=100&where[title][equals]=Overlaid%20tee'
    const read = async (path: string): Promise<{ cache: string | null; stock: number[] }> => {
      const res = await api<WithVariants & { docs: WithVariants[] }>(path)
      return { cache: res.headers.get('x-cache'), stock: stocks(path === url ? res.body : res.body.docs[0]) }
    }
    for (const path of [url, list]) {
      expect(await read(path)).toEqual({ cache: 'MISS', stock: [6, 6] })
      expect(await read(path)).toEqual({ cache: 'HIT', stock: [6, 6] })
    }
    const order = await buy(tee, small, 4)
    for (const path of [url, list]) expect(await read(path)).toEqual({ cache: 'HIT', stock: [2, 6] })
    const cancelled = await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer.token })
    expect(cancelled.status).toBe(200)
    for (const path of [url, list]) expect(await read(path)).toEqual({ cache: 'HIT', stock: [6, 6] })
  })

  it("an admin's variant write shows on the very next read", async () => {
    const { tee, small, large } = await teeWithVariants('Edited tee')
    const url = `/api/products/${tee.id}`
    await api(url)
    expect((await api(url)).headers.get('x-cache')).toBe('HIT')
    const patch = (id: Doc['id'], json: Record<string, unknown>) =>
      api(`/api/variants/${id}`, { method: 'PATCH', token: admin.token, json })

    await patch(large.id, { price: 1900, stock: 9 })
    expect((await api<WithVariants>(url)).body.variants.map((each) => [each.price, each.stock])).toEqual([
      [1500, 6],
      [1900, 9],
    ])
    await patch(small.id, { status: 'draft' })
    expect((await api<WithVariants>(url)).body.variants.map((each) => each.title)).toEqual(['L'])
    await patch(large.id, { deletedAt: new Date().toISOString() })
    expect((await api<WithVariants>(url)).body.variants).toEqual([])
    await patch(small.id, { status: 'published' })
    expect((await api<WithVariants>(url)).body.variants.map((each) => each.title)).toEqual(['S'])
  })
})

describeIf(hasRedis, 'redis-server')('two instances on Redis', () => {
  it("a variant checkout on one instance shows in the other's cached answers at once, still hits", async () => {
    const { tee, large } = await teeWithVariants('Shared tee')
    const url = `/api/products/${tee.id}`
    await second!.api(url)
    expect((await second!.api(url)).headers.get('x-cache')).toBe('HIT')
    const order = await buy(tee, large, 5)
    const after = await second!.api<WithVariants>(url)
    expect(after.headers.get('x-cache')).toBe('HIT')
    expect(stocks(after.body)).toEqual([6, 1])
    await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer.token })
    expect(stocks((await second!.api<WithVariants>(url)).body)).toEqual([6, 6])
  }, 60_000)

  it("an admin's variant write on one instance is seen on the other's very next read", async () => {
    const { tee, small } = await teeWithVariants('Shared edit')
    const url = `/api/products/${tee.id}`
    await second!.api(url)
    expect((await second!.api(url)).headers.get('x-cache')).toBe('HIT')
    await api(`/api/variants/${small.id}`, { method: 'PATCH', token: admin.token, json: { stock: 2 } })
    expect(stocks((await second!.api<WithVariants>(url)).body)).toEqual([2, 6])
  }, 60_000)
})
