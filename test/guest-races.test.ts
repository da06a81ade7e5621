import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Api, ApiResponse } from './helpers/http'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { customersViaLocalApi, uniqueEmail } from './helpers/users'
import type { Account } from './helpers/users'

// Every guest state change a client can send twice at once, as real parallel HTTP requests split
// across two server processes on one database: cart changes by token, guest checkout, the merge
// into an account, the guest's cancel.

let stores: StorePair | undefined
let server: TestServer
let api: Api
let admin: Account
let instance: StorePair['apiFor']

beforeAll(async () => {
  stores = await startStorePair()
  ;({ server, api, admin, apiFor: instance } = stores)
}, 240_000)

afterAll(async () => {
  await stores?.stop()
})

const N = 8
const ok = (res: { status: number }): boolean => res.status >= 200 && res.status < 300
const asGuest = (cartToken: string): Record<string, string> => ({ 'X-Cart-Token': cartToken })
const statuses = (answers: ApiResponse<unknown>[]): number[] => answers.map((answer) => answer.status).sort()
const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id })).stock

async function newGuestCart(): Promise<string> {
  const res = await api<{ cartToken: string }>('/api/carts/guest', { method: 'POST' })
  expect(res.status).toBe(201)
  return res.body.cartToken
}

const guestAdd = (via: Api, cartToken: string, item: number | string, quantity = 1) =>
  via<CartView & Errors>('/api/carts/mine/items', {
    headers: asGuest(cartToken),
    json: { product: item, quantity },
  })

const guestCheckout = (via: Api, cartToken: string, email: string) =>
  via<{ order: OrderView; orderToken: string } & Errors>('/api/checkout', {
    headers: asGuest(cartToken),
    json: { paymentMethod: 'cod', shippingAddress: ADDRESS, email },
  })

const quantityIn = (cart: CartView, item: number | string): number =>
  cart.items.find((line) => String(line.product.id) === String(item))?.quantity ?? 0

describe('guest races', () => {
  it('concurrent adds by one cart token: every acknowledged unit is in the cart', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 100 }))
    const token = await newGuestCart()
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => guestAdd(instance(i), token, item.id)),
    )
    for (const answer of answers) expect([200, 409]).toContain(answer.status)
    const cart = (await api<CartView>('/api/carts/mine', { headers: asGuest(token) })).body
    expect(quantityIn(cart, item.id)).toBe(answers.filter(ok).length)
    expect(answers.filter(ok).length).toBeGreaterThan(0)
  }, 60_000)

  it('concurrent guest checkouts of one cart: one order, the stock taken once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 50 }))
    const token = await newGuestCart()
    expect((await guestAdd(api, token, item.id, 3)).status).toBe(200)
    const email = uniqueEmail('race-guest')
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => guestCheckout(instance(i), token, email)),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1)
    for (const answer of answers) expect([201, 400, 409]).toContain(answer.status)
    const orders = await server.payload.find({ collection: 'orders', where: { email: { equals: email } } })
    expect(orders.totalDocs).toBe(1)
    expect(await stockOf(item.id)).toBe(47)
  }, 60_000)

  it('the same merge sent concurrently adds the guest lines once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 50 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'merge-race')
    expect((await addToCart(api, buyer!.token, item.id, 1)).status).toBe(200)
    const token = await newGuestCart()
    expect((await guestAdd(api, token, item.id, 2)).status).toBe(200)
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        instance(i)<CartView>('/api/carts/mine/merge', { token: buyer!.token, json: { cartToken: token } }),
      ),
    )
    expect(statuses(answers)).toEqual([200, ...Array<number>(N - 1).fill(404)])
    const cart = (await api<CartView>('/api/carts/mine', { token: buyer!.token })).body
    expect(quantityIn(cart, item.id)).toBe(3)
    expect((await api('/api/carts/mine', { headers: asGuest(token) })).status).toBe(404)
  }, 60_000)

  it('a guest add racing the merge ends in the account’s cart or is refused, never lost', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 50 }))
    const extra = await create(api, admin.token, 'products', product({ stock: 50 }))
    const buyers = await customersViaLocalApi(server.payload, api, 4, 'merge-add')
    for (const [i, buyer] of buyers.entries()) {
      const token = await newGuestCart()
      expect((await guestAdd(api, token, item.id, 1)).status).toBe(200)
      const [merged, added] = await Promise.all([
        instance(i)<CartView>('/api/carts/mine/merge', { token: buyer.token, json: { cartToken: token } }),
        guestAdd(instance(i + 1), token, extra.id, 1),
      ])
      expect(merged.status).toBe(200)
      expect([200, 404, 409]).toContain(added.status)
      const cart = (await api<CartView>('/api/carts/mine', { token: buyer.token })).body
      expect(quantityIn(cart, item.id)).toBe(1)
      // Acknowledged before the merge claimed the cart: merged along; after: 404, nowhere.
      expect(quantityIn(cart, extra.id)).toBe(ok(added) ? 1 : 0)
    }
  }, 60_000)

  it('concurrent cancels with the order token: one 200, the stock back once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 20 }))
    const token = await newGuestCart()
    expect((await guestAdd(api, token, item.id, 4)).status).toBe(200)
    const placed = await guestCheckout(api, token, uniqueEmail('cancel-race'))
    expect(placed.status).toBe(201)
    expect(await stockOf(item.id)).toBe(16)
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        instance(i)(`/api/orders/${placed.body.order.id}/cancel`, {
          method: 'POST',
          headers: { 'X-Order-Token': placed.body.orderToken },
        }),
      ),
    )
    expect(statuses(answers)).toEqual([200, ...Array<number>(N - 1).fill(409)])
    expect(await stockOf(item.id)).toBe(20)
  }, 60_000)
})
