import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Api } from './helpers/http'
import type { TestServer } from './helpers/store/inProcess'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import { addToCart, checkoutCod } from './helpers/shop'
import type { CartView, OrderView } from './helpers/shop'
import { customersViaLocalApi } from './helpers/users'
import type { Account } from './helpers/users'

// Real parallel HTTP requests against real databases; on PostgreSQL also across two instances.

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

const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id })).stock

describe('stock', () => {
  it('20 customers racing for the last 5 units, across two instances: exactly 5 orders, stock 0, the rest 409', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Last five', stock: 5 }))
    const racers = await customersViaLocalApi(server.payload, api, 20)
    for (const racer of racers) expect((await addToCart(api, racer.token, item.id, 1)).status).toBe(200)

    const answers = await Promise.all(racers.map((racer, i) => checkoutCod(instance(i), racer.token)))
    const statuses = answers.map((answer) => answer.status).sort()
    expect(statuses.filter((status) => status === 201)).toHaveLength(5)
    expect(statuses.filter((status) => status === 409)).toHaveLength(15)
    expect(await stockOf(item.id)).toBe(0)
    const orders = await server.payload.find({
      collection: 'orders',
      where: { 'items.product': { equals: item.id } },
      limit: 100,
    })
    expect(orders.totalDocs).toBe(5)
    // The losers keep their carts (flagged now), the winners' carts are empty.
    const winners = new Set(
      answers.filter((answer) => answer.status === 201).map((answer) => String(answer.body.order.customer)),
    )
    for (const racer of racers) {
      const cart = await api<CartView>('/api/carts/mine', { token: racer.token })
      expect(cart.body.items.length).toBe(winners.has(String(racer.id)) ? 0 : 1)
    }
  }, 180_000)

  it('a multi-item order is all or nothing', async () => {
    const plenty = await create(api, admin.token, 'products', product({ stock: 50 }))
    const scarce = await create(api, admin.token, 'products', product({ stock: 1 }))
    const [first, secondBuyer] = await customersViaLocalApi(server.payload, api, 2, 'bundle')
    for (const buyer of [first!, secondBuyer!]) {
      await addToCart(api, buyer.token, plenty.id, 2)
      await addToCart(api, buyer.token, scarce.id, 1)
    }
    const answers = await Promise.all([
      checkoutCod(api, first!.token),
      checkoutCod(instance(1), secondBuyer!.token),
    ])
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409])
    expect(await stockOf(plenty.id)).toBe(48)
    expect(await stockOf(scarce.id)).toBe(0)
  }, 30_000)
})

describe('coupons', () => {
  it('maxUses 3 raced by 10 customers: at most 3 uses', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 100 }))
    const coupon = await create(api, admin.token, 'coupons', {
      code: `RACE${Date.now()}`,
      type: 'fixed',
      value: 100,
      maxUses: 3,
      active: true,
    })
    const racers = await customersViaLocalApi(server.payload, api, 10, 'coupon')
    for (const racer of racers) {
      await addToCart(api, racer.token, item.id, 1)
      expect(
        (await api('/api/carts/mine/coupon', { token: racer.token, json: { code: coupon.code } })).status,
      ).toBe(200)
    }
    const answers = await Promise.all(racers.map((racer, i) => checkoutCod(instance(i), racer.token)))
    const won = answers.filter((answer) => answer.status === 201)
    expect(won).toHaveLength(3)
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(7)
    expect(won.every((answer) => answer.body.order.couponCode === coupon.code)).toBe(true)
    expect((await server.payload.findByID({ collection: 'coupons', id: coupon.id })).usedCount).toBe(3)
    expect(await stockOf(item.id)).toBe(97)
  }, 180_000)

  it('maxUsesPerCustomer 1: one customer racing themself gets one use', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 100 }))
    const coupon = await create(api, admin.token, 'coupons', {
      code: `ONCE${Date.now()}`,
      type: 'percent',
      value: 50,
      maxUsesPerCustomer: 1,
      active: true,
    })
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'greedy')
    await addToCart(api, buyer!.token, item.id, 1)
    await api('/api/carts/mine/coupon', { token: buyer!.token, json: { code: coupon.code } })
    // Different keys: five distinct checkout attempts of the same cart at once.
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        checkoutCod(instance(i), buyer!.token, { 'Idempotency-Key': `greedy-${i}` }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1)
    const usage = await server.payload.find({
      collection: 'coupon-usages',
      where: { coupon: { equals: coupon.id } },
    })
    expect(usage.docs[0]?.count).toBe(1)
  }, 30_000)
})

describe('one cart, one order', () => {
  async function raceCheckouts(prefix: string, headers: (i: number) => Record<string, string>) {
    const item = await create(api, admin.token, 'products', product({ stock: 50 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, prefix)
    expect((await addToCart(api, buyer!.token, item.id, 3)).status).toBe(200)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => checkoutCod(instance(i), buyer!.token, headers(i))),
    )
    const won = answers.filter((answer) => answer.status === 201)
    expect(won).toHaveLength(1)
    // The others lost the cart to the winner: it changed (409) or is empty now (400).
    for (const answer of answers.filter((each) => each.status !== 201)) {
      expect([400, 409]).toContain(answer.status)
    }
    const orders = await server.payload.find({
      collection: 'orders',
      where: { customer: { equals: buyer!.id } },
      depth: 0,
    })
    expect(orders.totalDocs).toBe(1)
    expect(orders.docs[0]?.items.map((line) => line.quantity)).toEqual([3])
    expect(await stockOf(item.id)).toBe(47)
    expect((await api<CartView>('/api/carts/mine', { token: buyer!.token })).body.items).toEqual([])
  }

  it('10 concurrent checkouts of one cart without a key, across two instances: exactly one order', async () => {
    await raceCheckouts('nokey', () => ({}))
  }, 60_000)

  it('10 concurrent checkouts of one cart with ten different keys: exactly one order', async () => {
    const run = Date.now()
    await raceCheckouts('keys', (i) => ({ 'Idempotency-Key': `cart-race-${run}-${i}` }))
  }, 60_000)
})

describe('Idempotency-Key', () => {
  it('10 parallel requests with one key: one order, ten identical answers', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 10 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'retry')
    await addToCart(api, buyer!.token, item.id, 2)
    const key = `order-attempt-${Date.now()}`
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        checkoutCod(instance(i), buyer!.token, { 'Idempotency-Key': key }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(201))
    expect(new Set(answers.map((answer) => answer.body.order.id)).size).toBe(1)
    expect(await stockOf(item.id)).toBe(8)
    const orders = await server.payload.count({
      collection: 'orders',
      where: { customer: { equals: buyer!.id } },
    })
    expect(orders.totalDocs).toBe(1)

    // Later retries replay the stored answer; a different body with the same key is refused.
    const later = await checkoutCod(api, buyer!.token, { 'Idempotency-Key': key })
    expect(later.status).toBe(201)
    expect(later.body.order.id).toBe(answers[0]?.body.order.id)
    const different = await api('/api/checkout', {
      token: buyer!.token,
      headers: { 'Idempotency-Key': key },
      json: {
        paymentMethod: 'cod',
        shippingAddress: { name: 'Someone Else', line1: 'x', city: 'y', postalCode: '12345', country: 'fr' },
      },
    })
    expect(different.status).toBe(409)
    // The same key from another customer is another key.
    const [other] = await customersViaLocalApi(server.payload, api, 1, 'other')
    await addToCart(api, other!.token, item.id, 1)
    const theirs = await checkoutCod(api, other!.token, { 'Idempotency-Key': key })
    expect(theirs.status).toBe(201)
    expect(theirs.body.order.id).not.toBe(answers[0]?.body.order.id)
  }, 30_000)
})

describe('cancellation', () => {
  it('two cancels at once (owner and admin, two instances) restock once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 6 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'cancel')
    await addToCart(api, buyer!.token, item.id, 4)
    const order = (await checkoutCod(api, buyer!.token)).body.order
    expect(await stockOf(item.id)).toBe(2)
    const answers = await Promise.all([
      api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer!.token }),
      instance(1)(`/api/orders/${order.id}/cancel`, { method: 'POST', token: admin.token }),
      api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: admin.token }),
      instance(1)(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer!.token }),
    ])
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(3)
    expect(await stockOf(item.id)).toBe(6)
    const stored = await server.payload.findByID({ collection: 'orders', id: order.id })
    expect(stored.statusHistory?.map((entry) => entry.to)).toEqual(['pending', 'cancelled'])
  }, 30_000)
})

describe('order numbers', () => {
  it('are unique under concurrency', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 100 }))
    const buyers = await customersViaLocalApi(server.payload, api, 12, 'numbers')
    for (const buyer of buyers) await addToCart(api, buyer.token, item.id, 1)
    const answers = await Promise.all(buyers.map((buyer, i) => checkoutCod(instance(i), buyer.token)))
    expect(answers.every((answer) => answer.status === 201)).toBe(true)
    const numbers = answers.map((answer) => (answer.body.order as OrderView).orderNumber)
    expect(new Set(numbers).size).toBe(12)
  }, 30_000)
})
