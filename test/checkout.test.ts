import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

const SHIPPING = 500

let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account

beforeAll(async () => {
  server = await startTestServer({ SHIPPING_FLAT_FEE: String(SHIPPING) })
  api = client(server.url)
  admin = await firstAdmin(api)
  alice = await verifiedCustomer(api, server.mailbox, 'alice')
  bob = await verifiedCustomer(api, server.mailbox, 'bob')
})

afterAll(async () => {
  await server?.stop()
})

const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id, trash: true })).stock
const code = (res: { body: unknown }): string | undefined => (res.body as Errors).errors?.[0]?.data?.code

describe('cart', () => {
  let mug: Doc
  let lamp: Doc

  beforeAll(async () => {
    mug = await create(api, admin.token, 'products', product({ title: 'Mug', price: 1250, stock: 5 }))
    lamp = await create(api, admin.token, 'products', product({ title: 'Lamp', price: 4999, stock: 2 }))
  })

  it('needs a login', async () => {
    expect((await api('/api/carts/mine')).status).toBe(401)
    expect((await api('/api/carts/mine/items', { json: { product: mug.id, quantity: 1 } })).status).toBe(401)
  })

  it('starts empty and answers the whole cart, priced by the server', async () => {
    const res = await api<CartView>('/api/carts/mine', { token: alice.token })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      items: [],
      coupon: null,
      subtotal: 0,
      discount: 0,
      shipping: 0,
      total: 0,
      currency: 'usd',
    })

    const added = await addToCart(api, alice.token, mug.id, 2)
    expect(added.status).toBe(200)
    expect(added.body.items).toEqual([
      expect.objectContaining({
        product: expect.objectContaining({ id: mug.id, title: 'Mug', price: 1250, stock: 5 }),
        quantity: 2,
        unitPrice: 1250,
        lineTotal: 2500,
      }),
    ])
    expect(added.body).toMatchObject({ subtotal: 2500, discount: 0, shipping: SHIPPING, total: 3000 })

    const again = await addToCart(api, alice.token, mug.id, 1)
    expect(again.body.items[0]?.quantity).toBe(3)
    const set = await api<CartView>(`/api/carts/mine/items/${mug.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { quantity: 1 },
    })
    expect(set.body.items[0]?.quantity).toBe(1)
    await addToCart(api, alice.token, lamp.id, 1)
    const removed = await api<CartView>(`/api/carts/mine/items/${lamp.id}`, {
      method: 'DELETE',
      token: alice.token,
    })
    expect(removed.body.items.map((item) => item.product.id)).toEqual([mug.id])
    const zero = await api<CartView>(`/api/carts/mine/items/${mug.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { quantity: 0 },
    })
    expect(zero.body.items).toEqual([])
  })

  it('ignores prices and totals sent by the client', async () => {
    const res = await api('/api/carts/mine/items', {
      token: bob.token,
      json: { product: mug.id, quantity: 1, price: 1 },
    })
    expect(res.status).toBe(400)
    const ok = await addToCart(api, bob.token, mug.id, 1)
    expect(ok.body.items[0]?.unitPrice).toBe(1250)
    await api('/api/carts/mine', { method: 'DELETE', token: bob.token })
  })

  it('answers bad input with 4xx and changes nothing', async () => {
    await addToCart(api, alice.token, mug.id, 1)
    const draft = await create(api, admin.token, 'products', product({ status: 'draft' }))
    const cases: [unknown, number][] = [
      [{ product: mug.id, quantity: 0 }, 400],
      [{ product: mug.id, quantity: -2 }, 400],
      [{ product: mug.id, quantity: 1.5 }, 400],
      [{ product: mug.id, quantity: '2' }, 400],
      [{ product: mug.id, quantity: 100 }, 400],
      [{ product: mug.id, quantity: 5 }, 409],
      [{ product: 'abc', quantity: 1 }, 400],
      [{ product: { $gt: 0 }, quantity: 1 }, 400],
      [{ product: 99999999, quantity: 1 }, 404],
      [{ product: draft.id, quantity: 1 }, 404],
      [{}, 400],
    ]
    for (const [body, status] of cases) {
      const res = await api<Errors>('/api/carts/mine/items', { token: alice.token, json: body })
      expect([body, res.status]).toEqual([body, status])
      expect(Array.isArray(res.body.errors)).toBe(true)
    }
    expect(
      (
        await api(`/api/carts/mine/items/${lamp.id}`, {
          method: 'PATCH',
          token: alice.token,
          json: { quantity: 1 },
        })
      ).status,
    ).toBe(404)
    expect(
      (await api('/api/carts/mine/items/not-an-id', { method: 'DELETE', token: alice.token })).status,
    ).toBe(404)
    expect(
      (
        await api(`/api/carts/mine/items/${mug.id}`, {
          method: 'PATCH',
          token: alice.token,
          json: { quantity: 9 },
        })
      ).status,
    ).toBe(409)
    const malformed = await api('/api/carts/mine/items', {
      token: alice.token,
      body: '{"product":',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    const cart = await api<CartView>('/api/carts/mine', { token: alice.token })
    expect(cart.body.items.map((item) => [item.product.id, item.quantity])).toEqual([[mug.id, 1]])
    await api('/api/carts/mine', { method: 'DELETE', token: alice.token })
  })

  it('flags a product that became unavailable and blocks checkout with a clear message', async () => {
    const vase = await create(api, admin.token, 'products', product({ title: 'Vase', stock: 3 }))
    await addToCart(api, bob.token, vase.id, 2)
    await api(`/api/products/${vase.id}`, { method: 'PATCH', token: admin.token, json: { status: 'draft' } })
    const cart = await api<CartView>('/api/carts/mine', { token: bob.token })
    expect(cart.body.items[0]).toMatchObject({
      available: false,
      issue: expect.stringMatching(/no longer available/),
    })
    expect(cart.body.subtotal).toBe(0)
    const res = await checkoutCod(api, bob.token)
    expect(res.status).toBe(409)
    expect(code(res)).toBe('CART_UNAVAILABLE')
    expect(res.body.errors[0]?.message).toMatch(/no longer available/)
    await api(`/api/products/${vase.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'published', stock: 1 },
    })
    const low = await api<CartView>('/api/carts/mine', { token: bob.token })
    expect(low.body.items[0]).toMatchObject({ available: false, issue: 'Only 1 left in stock.' })
    expect((await checkoutCod(api, bob.token)).status).toBe(409)
    expect(await stockOf(vase.id)).toBe(1)
    await api('/api/carts/mine', { method: 'DELETE', token: bob.token })
  })

  it('is one per customer, even when first asked for concurrently', async () => {
    const carol = await verifiedCustomer(api, server.mailbox, 'carol')
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api<CartView>('/api/carts/mine', { token: carol.token })),
    )
    expect(answers.every((res) => res.status === 200)).toBe(true)
    expect(new Set(answers.map((res) => String(res.body.id))).size).toBe(1)
    const stored = await server.payload.count({
      collection: 'carts',
      where: { customer: { equals: carol.id } },
    })
    expect(stored.totalDocs).toBe(1)
  })
})

describe('coupons', () => {
  let item: Doc

  beforeAll(async () => {
    item = await create(api, admin.token, 'products', product({ price: 3333, stock: 100 }))
  })

  const coupon = (data: Record<string, unknown>) =>
    create(api, admin.token, 'coupons', { active: true, ...data })

  it('are invisible to customers', async () => {
    await coupon({ code: 'SECRET10', type: 'percent', value: 10 })
    for (const token of [undefined, alice.token]) {
      expect((await api('/api/coupons', { token })).status).toBe(403)
      const gql = await api<{ data?: { Coupons: unknown } }>('/api/graphql', {
        token,
        json: { query: '{ Coupons { docs { code } } }' },
      })
      expect(gql.body.data?.Coupons ?? null).toBeNull()
    }
  })

  it('apply by code, case-insensitively, with percent rounding and a cap at the subtotal', async () => {
    await coupon({ code: 'Third', type: 'percent', value: 33 })
    await coupon({ code: 'HUGE', type: 'fixed', value: 1_000_000 })
    await addToCart(api, alice.token, item.id, 1)
    const percent = await api<CartView>('/api/carts/mine/coupon', {
      token: alice.token,
      json: { code: 'third' },
    })
    expect(percent.status).toBe(200)
    // 33 % of 3333 = 1099.89 → 1100
    expect(percent.body).toMatchObject({
      coupon: { code: 'THIRD', type: 'percent', value: 33 },
      subtotal: 3333,
      discount: 1100,
      total: 3333 - 1100 + SHIPPING,
    })
    const fixed = await api<CartView>('/api/carts/mine/coupon', {
      token: alice.token,
      json: { code: 'huge' },
    })
    expect(fixed.body).toMatchObject({ discount: 3333, total: SHIPPING })
    const removed = await api<CartView>('/api/carts/mine/coupon', { method: 'DELETE', token: alice.token })
    expect(removed.body).toMatchObject({ coupon: null, discount: 0 })
    await api('/api/carts/mine', { method: 'DELETE', token: alice.token })
  })

  it('refuse unknown, inactive, expired, future, used-up or too-small-cart codes', async () => {
    const past = new Date(Date.now() - 86_400_000).toISOString()
    const future = new Date(Date.now() + 86_400_000).toISOString()
    await coupon({ code: 'OFF', type: 'fixed', value: 100, active: false })
    await coupon({
      code: 'OLD',
      type: 'fixed',
      value: 100,
      startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      expiresAt: past,
    })
    await coupon({ code: 'SOON', type: 'fixed', value: 100, startsAt: future })
    await coupon({ code: 'BIGCART', type: 'fixed', value: 100, minSubtotal: 10_000 })
    const spent = await coupon({ code: 'SPENT', type: 'fixed', value: 100, maxUses: 1 })
    await server.payload.update({ collection: 'coupons', id: spent.id, data: { usedCount: 1 } })
    await addToCart(api, bob.token, item.id, 1)
    for (const name of ['NOPE', 'OFF', 'OLD', 'SOON', 'BIGCART', 'SPENT']) {
      const res = await api('/api/carts/mine/coupon', { token: bob.token, json: { code: name } })
      expect([name, res.status, code(res)]).toEqual([name, 409, 'COUPON_UNAVAILABLE'])
    }
    expect((await api('/api/carts/mine/coupon', { token: bob.token, json: { code: '' } })).status).toBe(400)
    expect((await api<CartView>('/api/carts/mine', { token: bob.token })).body.coupon).toBeNull()
    await api('/api/carts/mine', { method: 'DELETE', token: bob.token })
  })

  it('are validated when admins write them', async () => {
    for (const data of [
      { code: 'BAD1', type: 'percent', value: 150 },
      { code: 'BAD2', type: 'fixed', value: 0 },
      { code: 'BAD3', type: 'fixed', value: 9.5 },
      { code: 'bad code!', type: 'fixed', value: 5 },
      { code: 'BAD4', type: 'fixed', value: 5, maxUses: 0 },
    ]) {
      expect((await api('/api/coupons', { token: admin.token, json: data })).status).toBe(400)
    }
    await coupon({ code: 'CASE', type: 'fixed', value: 5 })
    expect(
      (await api('/api/coupons', { token: admin.token, json: { code: 'case', type: 'fixed', value: 5 } }))
        .status,
    ).toBe(400)
  })
})

describe('cash-on-delivery checkout', () => {
  it('creates the order from the cart with a snapshot, takes stock and the coupon use, empties the cart', async () => {
    const chair = await create(
      api,
      admin.token,
      'products',
      product({ title: 'Chair', sku: `CHAIR-${Date.now()}`, price: 2000, stock: 10 }),
    )
    const desk = await create(
      api,
      admin.token,
      'products',
      product({ title: 'Desk', price: 15_000, stock: 3 }),
    )
    const promo = await create(api, admin.token, 'coupons', {
      code: `TEN${Date.now()}`,
      type: 'percent',
      value: 10,
      maxUses: 5,
      active: true,
    })
    await addToCart(api, alice.token, chair.id, 2)
    await addToCart(api, alice.token, desk.id, 1)
    await api('/api/carts/mine/coupon', { token: alice.token, json: { code: promo.code } })

    const res = await checkoutCod(api, alice.token)
    expect(res.status).toBe(201)
    const order = res.body.order
    expect(order).toMatchObject({
      status: 'pending',
      paymentStatus: 'unpaid',
      paymentMethod: 'cod',
      subtotal: 19_000,
      discount: 1900,
      shipping: SHIPPING,
      total: 19_000 - 1900 + SHIPPING,
      currency: 'usd',
      couponCode: promo.code,
    })
    expect(order.orderNumber).toMatch(/^ORD-\d{6}$/)
    expect(order.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          product: chair.id,
          title: 'Chair',
          sku: chair.sku,
          unitPrice: 2000,
          quantity: 2,
          lineTotal: 4000,
        }),
        expect.objectContaining({
          product: desk.id,
          title: 'Desk',
          unitPrice: 15_000,
          quantity: 1,
          lineTotal: 15_000,
        }),
      ]),
    )
    expect(order.statusHistory).toEqual([expect.objectContaining({ to: 'pending', by: alice.id })])
    // The answer is the order exactly as its owner reads it back (the adapter writes it: no drift).
    expect((await api(`/api/orders/${order.id}?depth=0`, { token: alice.token })).body).toEqual(order)
    expect(await stockOf(chair.id)).toBe(8)
    expect(await stockOf(desk.id)).toBe(2)
    expect((await server.payload.findByID({ collection: 'coupons', id: promo.id })).usedCount).toBe(1)
    expect((await api<CartView>('/api/carts/mine', { token: alice.token })).body.items).toEqual([])

    // The snapshot does not follow later catalog changes.
    await api(`/api/products/${chair.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { price: 9999, title: 'Renamed' },
    })
    const again = await api<OrderView>(`/api/orders/${order.id}?depth=0`, { token: alice.token })
    expect(again.body.items.find((item) => item.product === chair.id)).toMatchObject({
      title: 'Chair',
      unitPrice: 2000,
    })
  })

  it('validates the address and the payment method, and refuses an empty cart', async () => {
    const bad = [
      { paymentMethod: 'cod' },
      { paymentMethod: 'cash', shippingAddress: ADDRESS },
      { paymentMethod: 'cod', shippingAddress: { ...ADDRESS, country: 'Germany' } },
      { paymentMethod: 'cod', shippingAddress: { ...ADDRESS, name: '' } },
      { paymentMethod: 'cod', shippingAddress: { ...ADDRESS, city: 'x'.repeat(5000) } },
      { paymentMethod: 'cod', shippingAddress: ADDRESS, total: 1 },
    ]
    for (const body of bad)
      expect((await api('/api/checkout', { token: bob.token, json: body })).status).toBe(400)
    const empty = await checkoutCod(api, bob.token)
    expect(empty.status).toBe(400)
    expect(empty.body.errors[0]?.message).toMatch(/empty/)
    expect(
      (await api('/api/checkout', { json: { paymentMethod: 'cod', shippingAddress: ADDRESS } })).status,
    ).toBe(401)
  })

  it('answers card without Stripe with 503 and leaves no order behind', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 4 }))
    await addToCart(api, bob.token, item.id, 1)
    const before = await server.payload.count({ collection: 'orders' })
    const res = await api<Errors>('/api/checkout', {
      token: bob.token,
      json: { paymentMethod: 'card', shippingAddress: ADDRESS },
    })
    expect(res.status).toBe(503)
    expect(res.body.errors[0]?.message).toMatch(/STRIPE_SECRET_KEY|Card payments/)
    expect((await server.payload.count({ collection: 'orders' })).totalDocs).toBe(before.totalDocs)
    expect(await stockOf(item.id)).toBe(4)
    await api('/api/carts/mine', { method: 'DELETE', token: bob.token })
  })
})

describe('orders', () => {
  let order: OrderView
  let item: Doc

  beforeAll(async () => {
    item = await create(api, admin.token, 'products', product({ stock: 10 }))
    await addToCart(api, bob.token, item.id, 3)
    order = (await checkoutCod(api, bob.token)).body.order
  })

  it('customers read only their own; another id answers 404', async () => {
    expect((await api(`/api/orders/${order.id}`, { token: bob.token })).status).toBe(200)
    expect((await api(`/api/orders/${order.id}`, { token: alice.token })).status).toBe(404)
    expect((await api(`/api/orders/${order.id}`)).status).toBe(403)
    const list = await api<{ docs: OrderView[] }>('/api/orders?limit=100&depth=0', { token: alice.token })
    expect(list.body.docs.every((entry) => String(entry.customer) === String(alice.id))).toBe(true)
    const gql = await api<{ data: { Orders: { docs: { orderNumber: string }[] } } }>('/api/graphql', {
      token: alice.token,
      json: { query: '{ Orders(limit: 100) { docs { orderNumber } } }' },
    })
    expect(gql.body.data.Orders.docs.map((entry) => entry.orderNumber)).not.toContain(order.orderNumber)
  })

  it('only admins change them, along the allowed transitions, each one recorded', async () => {
    expect(
      (
        await api(`/api/orders/${order.id}`, {
          method: 'PATCH',
          token: bob.token,
          json: { status: 'delivered' },
        })
      ).status,
    ).toBe(403)
    const skip = await api(`/api/orders/${order.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'delivered' },
    })
    expect(skip.status).toBe(400)
    const forged = await api<{ doc: OrderView }>(`/api/orders/${order.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { total: 1 },
    })
    expect(forged.body.doc?.total ?? order.total).toBe(order.total)
    for (const status of ['processing', 'shipped', 'delivered']) {
      const res = await api<{ doc: OrderView }>(`/api/orders/${order.id}`, {
        method: 'PATCH',
        token: admin.token,
        json: { status },
      })
      expect([status, res.status]).toEqual([status, 200])
    }
    const done = await api<OrderView>(`/api/orders/${order.id}`, { token: bob.token })
    expect(done.body.status).toBe('delivered')
    expect(done.body.paymentStatus).toBe('paid')
    expect(done.body.statusHistory.map((entry) => [entry.from, entry.to])).toEqual([
      [null, 'pending'],
      ['pending', 'processing'],
      ['processing', 'shipped'],
      ['shipped', 'delivered'],
    ])
    expect(String(done.body.statusHistory[1]?.by)).toBe(String(admin.id))
    const back = await api(`/api/orders/${order.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'pending' },
    })
    expect(back.status).toBe(400)
    const cancel = await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: admin.token })
    expect(cancel.status).toBe(409)
    expect(await stockOf(item.id)).toBe(7)
  })

  it('every move of one order, whoever makes it, keeps the lines and appends its history row in order', async () => {
    await addToCart(api, alice.token, item.id, 1)
    const placed = (await checkoutCod(api, alice.token)).body.order
    const moved = await api(`/api/orders/${placed.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'processing' },
    })
    expect(moved.status).toBe(200)
    const cancelled = await api<{ order: OrderView }>(`/api/orders/${placed.id}/cancel`, {
      method: 'POST',
      token: alice.token,
    })
    expect(cancelled.status).toBe(200)
    const read = await api<OrderView>(`/api/orders/${placed.id}?depth=0`, { token: alice.token })
    expect(read.body.items).toHaveLength(1)
    expect(read.body.items[0]?.quantity).toBe(1)
    expect(read.body.statusHistory.map((entry) => [entry.from, entry.to, String(entry.by)])).toEqual([
      [null, 'pending', String(alice.id)],
      ['pending', 'processing', String(admin.id)],
      ['processing', 'cancelled', String(alice.id)],
    ])
    expect(cancelled.body.order.statusHistory).toEqual(read.body.statusHistory)
  })

  it('cancellation by the owner returns the stock and the coupon use', async () => {
    const promo = await create(api, admin.token, 'coupons', {
      code: `BACK${Date.now()}`,
      type: 'fixed',
      value: 100,
      maxUses: 1,
      maxUsesPerCustomer: 1,
      active: true,
    })
    await addToCart(api, alice.token, item.id, 2)
    await api('/api/carts/mine/coupon', { token: alice.token, json: { code: promo.code } })
    const placed = (await checkoutCod(api, alice.token)).body.order
    expect(await stockOf(item.id)).toBe(5)
    expect((await server.payload.findByID({ collection: 'coupons', id: promo.id })).usedCount).toBe(1)

    expect((await api(`/api/orders/${placed.id}/cancel`, { method: 'POST', token: bob.token })).status).toBe(
      404,
    )
    const res = await api<{ order: OrderView }>(`/api/orders/${placed.id}/cancel`, {
      method: 'POST',
      token: alice.token,
    })
    expect(res.status).toBe(200)
    expect(res.body.order.status).toBe('cancelled')
    expect(await stockOf(item.id)).toBe(7)
    expect((await server.payload.findByID({ collection: 'coupons', id: promo.id })).usedCount).toBe(0)
    expect(
      (await api(`/api/orders/${placed.id}/cancel`, { method: 'POST', token: alice.token })).status,
    ).toBe(409)
    expect(await stockOf(item.id)).toBe(7)

    // The coupon can be used again, by the same customer too.
    await addToCart(api, alice.token, item.id, 1)
    const reuse = await api('/api/carts/mine/coupon', { token: alice.token, json: { code: promo.code } })
    expect(reuse.status).toBe(200)
    expect((await checkoutCod(api, alice.token)).status).toBe(201)
  })

  it('an owner cannot cancel once shipped; an admin cancel of a processing order restocks', async () => {
    await addToCart(api, bob.token, item.id, 1)
    const placed = (await checkoutCod(api, bob.token)).body.order
    await api(`/api/orders/${placed.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'processing' },
    })
    const stock = await stockOf(item.id)
    const byAdmin = await api<{ order: OrderView }>(`/api/orders/${placed.id}/cancel`, {
      method: 'POST',
      token: admin.token,
    })
    expect(byAdmin.status).toBe(200)
    expect(await stockOf(item.id)).toBe(stock + 1)

    await addToCart(api, bob.token, item.id, 1)
    const shipped = (await checkoutCod(api, bob.token)).body.order
    for (const status of ['processing', 'shipped']) {
      await api(`/api/orders/${shipped.id}`, { method: 'PATCH', token: admin.token, json: { status } })
    }
    const late = await api(`/api/orders/${shipped.id}/cancel`, { method: 'POST', token: bob.token })
    expect(late.status).toBe(409)
  })

  it('no one creates orders through the collection API', async () => {
    for (const token of [alice.token, admin.token]) {
      const res = await api('/api/orders', { token, json: { orderNumber: 'X', total: 1 } })
      expect([400, 403]).toContain(res.status)
    }
  })
})

describe('addresses are kept as given', () => {
  it('stores the shipping address on the order', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 2 }))
    await addToCart(api, alice.token, item.id, 1)
    const res = await checkoutCod(api, alice.token)
    const stored = await server.payload.findByID({ collection: 'orders', id: res.body.order.id })
    expect(stored.shippingAddress).toMatchObject({ ...ADDRESS, country: 'GB' })
  })
})
