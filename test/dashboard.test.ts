import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'
import type { DashboardData } from '../src/dashboard/types'
import { allowedMoves, ORDER_STATUSES } from '../src/orders/transitions'

// Issue 20: the admin home's figures (GET /api/dashboard) from a real store on a real database,
// each widget checked against the orders, carts and products made here; and the store's
// internals out of the operator's way.

const SECRET = 'whsec_dashboard_0123456789'
const HOUR_MS = 3_600_000

let double: StripeDouble
let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account

type CardOrder = OrderView & { payment?: { stripeSessionId?: string | null } }

beforeAll(async () => {
  double = await new StripeDouble().start()
  server = await startTestServer({
    ...double.storeEnv(SECRET),
    STRIPE_SWEEP_AFTER_S: '600',
    STRIPE_SWEEP_INTERVAL_S: '3600',
    LOW_STOCK_THRESHOLD: '5',
  })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'dash')) as [Account, Account]
}, 90_000)

afterAll(async () => {
  await server?.stop()
  await double?.stop()
})

const dashboard = async (): Promise<DashboardData> => {
  const res = await api<DashboardData>('/api/dashboard', { token: admin.token })
  expect(res.status).toBe(200)
  return res.body
}

/** Moves a stored timestamp back, as if the row were written `ms` ago (the store has no clock to turn). */
async function age(collection: 'orders' | 'carts', id: number | string, field: string, ms: number) {
  await server.payload.db.updateOne({
    collection,
    id,
    data: { [field]: new Date(Date.now() - ms).toISOString() },
    req: {},
  })
}

async function cardCheckout(customer: Account, productId: number | string): Promise<CardOrder> {
  await addToCart(api, customer.token, productId, 1)
  const res = await api<{ order: CardOrder }>('/api/checkout', {
    token: customer.token,
    json: { paymentMethod: 'card', shippingAddress: ADDRESS },
  })
  expect(res.status).toBe(201)
  return res.body.order
}

async function deliver(type: string, object: unknown) {
  const event = double.event(type, object, {})
  const { body, signature } = double.signedPayload(event, SECRET, {})
  const res = await api('/api/stripe/webhook', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
  })
  expect(res.status).toBe(200)
}

describe('who sees it', () => {
  it('answers admins only: 401 without a login, 403 to a customer', async () => {
    expect((await api('/api/dashboard')).status).toBe(401)
    expect((await api('/api/dashboard', { token: alice.token })).status).toBe(403)
    expect((await api('/api/dashboard', { token: admin.token })).status).toBe(200)
  })

  it('is a GET only: other methods are not routes', async () => {
    const res = await api('/api/dashboard', { method: 'POST', token: admin.token, json: {} })
    expect(res.status).toBe(404)
  })
})

describe('the store internals are out of the way', () => {
  it('keeps counters, coupon usages, idempotency keys and Stripe events out of the navigation', () => {
    const internals = ['counters', 'coupon-usages', 'idempotency-keys', 'stripe-events']
    for (const slug of internals) {
      const config = server.payload.collections[slug as 'counters'].config
      expect([slug, config.admin.group]).toEqual([slug, false])
    }
    // Everything an operator works with stays in the navigation.
    for (const slug of ['products', 'orders', 'carts', 'coupons', 'users'] as const) {
      expect(server.payload.collections[slug].config.admin.group).not.toBe(false)
    }
  })

  it('lets nobody, admins included, create a cart by hand (no "+" in the admin UI)', async () => {
    // The admin UI draws "+" from these permissions (a permission it lacks is left out).
    type Granted = Record<string, { create?: true; read?: true; update?: true }>
    const access = await api<{ collections: Granted }>('/api/access', { token: admin.token })
    expect(access.status).toBe(200)
    expect(access.body.collections.carts).toMatchObject({ read: true, update: true })
    for (const slug of ['carts', 'orders', 'stripe-events', 'counters'])
      expect([slug, access.body.collections[slug]?.create]).toEqual([slug, undefined])
    expect(access.body.collections.products?.create).toBe(true)
    const before = (await server.payload.count({ collection: 'carts' })).totalDocs
    const res = await api('/api/carts', { token: admin.token, json: { customer: bob.id, items: [] } })
    expect(res.status).toBe(403)
    expect((await server.payload.count({ collection: 'carts' })).totalDocs).toBe(before)
  })

  it('offers an admin on the order page exactly the lifecycle moves an admin may make', () => {
    expect(allowedMoves('pending', 'admin')).toEqual(['processing', 'cancelled'])
    expect(allowedMoves('processing', 'admin')).toEqual(['shipped', 'cancelled'])
    expect(allowedMoves('shipped', 'admin')).toEqual(['delivered'])
    expect(allowedMoves('delivered', 'admin')).toEqual([])
    expect(allowedMoves('cancelled', 'admin')).toEqual([])
    expect(allowedMoves('pending', 'customer')).toEqual(['cancelled'])
  })
})

describe('the figures', () => {
  it('starts at zero on an empty store, with the extension points saying what is missing', async () => {
    const data = await dashboard()
    expect(data.currency).toBe('usd')
    expect(data.sales.days).toHaveLength(30)
    expect(data.sales.days.at(-1)?.date).toBe(new Date().toISOString().slice(0, 10))
    expect(data.sales.today).toEqual({ orders: 0, revenue: 0, refunded: 0 })
    expect(data.byStatus).toEqual(Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])))
    expect(data.newest).toEqual([])
    expect(data.lowStock.products).toEqual({ total: 0, rows: [] })
    expect(data.lowStock.variants.available).toBe(false)
    expect(data.guestCarts.available).toBe(false)
    expect(data.failedEmails.available).toBe(false)
  })

  it('counts orders, revenue, statuses, stock, stuck payments, payment issues and abandoned carts', async () => {
    const low = await create(api, admin.token, 'products', product({ price: 500, stock: 4 }))
    const plenty = await create(api, admin.token, 'products', product({ price: 1000, stock: 100 }))

    // Today: alice's order stands, bob's is cancelled (ordered, but no revenue).
    await addToCart(api, alice.token, plenty.id, 2)
    const kept = (await checkoutCod(api, alice.token)).body.order
    await addToCart(api, bob.token, plenty.id, 1)
    const cancelled = (await checkoutCod(api, bob.token)).body.order
    expect(
      (await api(`/api/orders/${cancelled.id}/cancel`, { method: 'POST', token: bob.token })).status,
    ).toBe(200)
    // Ten days ago: counts in the 30 days, not in the 7.
    await addToCart(api, alice.token, plenty.id, 3)
    const older = (await checkoutCod(api, alice.token)).body.order
    await age('orders', older.id, 'createdAt', 10 * 24 * HOUR_MS)

    // A card order Stripe paid the wrong amount for, and one nobody paid for an hour.
    const mismatched = await cardCheckout(alice, plenty.id)
    const session = double.complete(mismatched.payment?.stripeSessionId ?? '')
    await deliver('checkout.session.completed', { ...session, amount_total: session.amount_total - 1 })
    const stuck = await cardCheckout(bob, plenty.id)
    await age('orders', stuck.id, 'createdAt', HOUR_MS)
    // Both card orders were placed today (the stuck one's clock turned back an hour, still today
    // unless the test runs just after midnight UTC).

    // Bob's cart: the low-stock product, left alone two hours ago.
    await addToCart(api, bob.token, low.id, 3)
    const cart = (await server.payload.find({ collection: 'carts', where: { customer: { equals: bob.id } } }))
      .docs[0]!
    await age('carts', cart.id, 'updatedAt', 2 * HOUR_MS)
    // Alice's cart is empty after her checkouts: not abandoned.

    const data = await dashboard()
    const placedToday = [kept, cancelled, mismatched, stuck].filter(
      (order) =>
        order.id !== stuck.id || new Date(Date.now() - HOUR_MS).getUTCDate() === new Date().getUTCDate(),
    )
    const revenueToday = placedToday
      .filter((order) => order.id !== cancelled.id)
      .reduce((sum, order) => sum + order.total, 0)
    expect(data.sales.today).toEqual({ orders: placedToday.length, revenue: revenueToday, refunded: 0 })
    expect(data.sales.last7.orders).toBe(4)
    expect(data.sales.last30).toEqual({
      orders: 5,
      revenue: kept.total + older.total + mismatched.total + stuck.total,
      refunded: 0,
    })
    expect(data.sales.days.reduce((sum, day) => sum + day.orders, 0)).toBe(5)
    expect(data.sales.days.at(-11)?.orders).toBe(1)
    expect(data.sales.days.at(-11)?.revenue).toBe(older.total)

    expect(data.byStatus).toEqual({ pending: 4, processing: 0, shipped: 0, delivered: 0, cancelled: 1 })
    // Newest first by when they were placed (the stuck one an hour ago, the older ten days ago).
    expect(data.newest.map((order) => order.orderNumber)).toEqual([
      mismatched.orderNumber,
      cancelled.orderNumber,
      kept.orderNumber,
      stuck.orderNumber,
      older.orderNumber,
    ])
    expect(data.newest[3]).toEqual({
      id: stuck.id,
      orderNumber: stuck.orderNumber,
      status: 'pending',
      paymentStatus: 'unpaid',
      paymentMethod: 'card',
      total: stuck.total,
      createdAt: expect.any(String),
    })

    expect(data.lowStock.threshold).toBe(5)
    expect(data.lowStock.products).toEqual({
      total: 1,
      rows: [{ id: low.id, title: low.title, sku: low.sku, stock: 4 }],
    })

    // The sweep would have settled them after 600 s: only the hour-old one is stuck.
    expect(data.stuckUnpaid.olderThanSeconds).toBe(600)
    expect(data.stuckUnpaid.rows.map((order) => order.id)).toEqual([stuck.id])
    expect(data.stuckUnpaid.total).toBe(1)

    expect(data.paymentIssues.total).toBe(1)
    expect(data.paymentIssues.rows[0]).toMatchObject({ id: mismatched.id, paymentStatus: 'unpaid' })
    expect(data.paymentIssues.rows[0]?.issue).toMatch(/not marked paid/)

    expect(data.abandonedCarts).toMatchObject({ idleHours: 1, days: 7, total: 1, value: 1500 })
    expect(data.abandonedCarts.rows).toEqual([
      { id: cart.id, customer: bob.id, items: 3, value: 1500, updatedAt: expect.any(String) },
    ])
  })
})
