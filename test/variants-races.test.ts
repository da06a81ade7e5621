import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product, uniqueSku } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import type { Api } from './helpers/http'
import type { TestServer } from './helpers/store/inProcess'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import { checkoutCod } from './helpers/shop'
import type { CartView } from './helpers/shop'
import { customersViaLocalApi } from './helpers/users'
import type { Account } from './helpers/users'

// Variant stock under real parallel HTTP requests, split across two instances on one database.

let stores: StorePair | undefined
let server: TestServer
let api: Api
let admin: Account
let instance: StorePair['apiFor']

beforeAll(async () => {
  stores = await startStorePair()
  ;({ server, api, admin, apiFor: instance } = stores)
}, 90_000)

afterAll(async () => {
  await stores?.stop()
})

const stockOf = async (id: Doc['id']): Promise<number> =>
  (await server.payload.findByID({ collection: 'variants', id })).stock

async function teeWith(stock: number): Promise<{ tee: Doc; sold: Doc; other: Doc }> {
  const tee = await create(
    api,
    admin.token,
    'products',
    product({ stock: 0, options: [{ name: 'Size', values: ['S', 'M'] }] }),
  )
  const variant = (size: string) =>
    create(api, admin.token, 'variants', {
      product: tee.id,
      options: { Size: size },
      sku: uniqueSku('RACE'),
      stock,
      status: 'published',
    })
  return { tee, sold: await variant('S'), other: await variant('M') }
}

const addVariant = (client: Api, token: string, tee: Doc, variant: Doc, quantity = 1) =>
  client<CartView>('/api/carts/mine/items', {
    token,
    json: { product: tee.id, variant: variant.id, quantity },
  })

describe('variant stock', () => {
  it('20 customers racing for the last 5 units of a variant, across two instances: exactly 5 orders', async () => {
    const { tee, sold, other } = await teeWith(5)
    const racers = await customersViaLocalApi(server.payload, api, 20, 'vrace')
    for (const racer of racers) expect((await addVariant(api, racer.token, tee, sold)).status).toBe(200)

    const answers = await Promise.all(racers.map((racer, i) => checkoutCod(instance(i), racer.token)))
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(5)
    expect(statuses.filter((status) => status === 409)).toHaveLength(15)
    expect(await stockOf(sold.id)).toBe(0)
    expect(await stockOf(other.id)).toBe(5)
    const orders = await server.payload.find({
      collection: 'orders',
      where: { 'items.variant': { equals: sold.id } },
      limit: 100,
    })
    expect(orders.totalDocs).toBe(5)
  }, 180_000)

  it("concurrent cancellations of one order give the variant's stock back once", async () => {
    const { tee, sold } = await teeWith(10)
    const [buyer] = (await customersViaLocalApi(server.payload, api, 1, 'vcancel')) as [Account]
    await addVariant(api, buyer.token, tee, sold, 3)
    const placed = await checkoutCod(api, buyer.token)
    expect(placed.status).toBe(201)
    expect(await stockOf(sold.id)).toBe(7)
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        instance(i)(`/api/orders/${placed.body.order.id}/cancel`, {
          method: 'POST',
          token: i % 3 === 0 ? admin.token : buyer.token,
        }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    expect(await stockOf(sold.id)).toBe(10)
  }, 60_000)

  it('ten simultaneous adds of one variant keep all ten units', async () => {
    const { tee, sold } = await teeWith(50)
    const [buyer] = (await customersViaLocalApi(server.payload, api, 1, 'vadd')) as [Account]
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => addVariant(instance(i), buyer.token, tee, sold)),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    const cart = await api<CartView>('/api/carts/mine', { token: buyer.token })
    expect(cart.body.items.map((line) => line.quantity)).toEqual([10])
  }, 60_000)
})
