import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { create, product, uniqueSku } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, checkoutCod } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Variants bought end to end: cart lines and their ids, prices, checkout's snapshot, the stock
// taken from and given back to the variant, the low-stock event and the Stripe line.

const LOW = 3
const SECRET = 'whsec_test_secret_0123456789'

let double: StripeDouble
let server: TestServer
let api: Api
let admin: Account
let buyer: Account
let tee: Doc
let small: Doc
let large: Doc
let plain: Doc
const sockets: Socket[] = []

type Line = CartView['items'][number] & {
  id: string
  variant: { id: number | string; title?: string; sku?: string; price?: number; stock?: number } | null
}
type Cart = Omit<CartView, 'items'> & { items: Line[] } & Errors
type Order = OrderView & {
  items: (OrderView['items'][number] & { variant: number | string | null; variantTitle: string | null })[]
  payment?: { stripeSessionId?: string | null }
}

beforeAll(async () => {
  double = await new StripeDouble().start()
  server = await startTestServer({ ...double.storeEnv(SECRET), LOW_STOCK_THRESHOLD: String(LOW) })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[buyer] = (await customersViaLocalApi(server.payload, api, 1, 'variants')) as [Account]
  tee = await create(
    api,
    admin.token,
    'products',
    product({ title: 'Tee', price: 2000, stock: 0, options: [{ name: 'Size', values: ['S', 'L'] }] }),
  )
  const variant = (size: string, extra: Record<string, unknown>) =>
    create(api, admin.token, 'variants', {
      product: tee.id,
      options: { Size: size },
      sku: uniqueSku('TEE'),
      status: 'published',
      ...extra,
    })
  small = await variant('S', { stock: 10 })
  large = await variant('L', { stock: 10, price: 2400 })
  plain = await create(api, admin.token, 'products', product({ price: 500, stock: 10 }))
}, 60_000)

afterAll(async () => {
  for (const socket of sockets) socket.disconnect()
  await server?.stop()
  await double?.stop()
})

const add = (json: Record<string, unknown>) =>
  api<Cart>('/api/carts/mine/items', { token: buyer.token, json })
const emptyCart = () => api('/api/carts/mine', { method: 'DELETE', token: buyer.token })
const variantStock = async (id: Doc['id']) =>
  (await server.payload.findByID({ collection: 'variants', id })).stock

describe('cart lines', () => {
  it("keys lines by product and variant, with the contract's line ids and the variant's price", async () => {
    await emptyCart()
    expect((await add({ product: tee.id, variant: small.id, quantity: 1 })).status).toBe(200)
    await add({ product: tee.id, variant: small.id, quantity: 2 })
    await add({ product: tee.id, variant: large.id, quantity: 1 })
    const cart = await add({ product: plain.id, quantity: 1 })
    expect(cart.status).toBe(200)
    expect(
      cart.body.items.map((line) => [line.id, line.variant?.title ?? null, line.quantity, line.unitPrice]),
    ).toEqual([
      [`${tee.id}:${small.id}`, 'S', 3, 2000],
      [`${tee.id}:${large.id}`, 'L', 1, 2400],
      [String(plain.id), null, 1, 500],
    ])
    expect(cart.body.items[0]?.variant).toMatchObject({ sku: small.sku, stock: 10, price: 2000 })
    expect(cart.body.subtotal).toBe(3 * 2000 + 2400 + 500)

    const encoded = await api<Cart>(`/api/carts/mine/items/${tee.id}%3A${small.id}`, {
      method: 'PATCH',
      token: buyer.token,
      json: { quantity: 5 },
    })
    expect(encoded.body.items[0]?.quantity).toBe(5)
    const removed = await api<Cart>(`/api/carts/mine/items/${tee.id}:${large.id}`, {
      method: 'DELETE',
      token: buyer.token,
    })
    expect(removed.body.items.map((line) => line.id)).toEqual([`${tee.id}:${small.id}`, String(plain.id)])
    const byProduct = await api(`/api/carts/mine/items/${plain.id}`, { method: 'DELETE', token: buyer.token })
    expect(byProduct.status).toBe(200)
    expect(
      (await api(`/api/carts/mine/items/${tee.id}`, { method: 'DELETE', token: buyer.token })).status,
    ).toBe(404)
    expect(
      (await api(`/api/carts/mine/items/${tee.id}:x`, { method: 'DELETE', token: buyer.token })).status,
    ).toBe(404)
    const malformed = await api('/api/carts/mine/items/%E0%A4%A', { method: 'DELETE', token: buyer.token })
    expect(malformed.status).toBe(404)
  })

  it('requires a variant for a product with options, refuses one for a product without', async () => {
    await emptyCart()
    const missing = await add({ product: tee.id, quantity: 1 })
    expect(missing.status).toBe(400)
    expect(JSON.stringify(missing.body)).toContain('variant')
    expect((await add({ product: plain.id, variant: small.id, quantity: 1 })).status).toBe(400)
    const otherProducts = await create(
      api,
      admin.token,
      'products',
      product({ options: [{ name: 'Size', values: ['S'] }] }),
    )
    expect((await add({ product: otherProducts.id, variant: small.id, quantity: 1 })).status).toBe(404)
    const draft = await create(api, admin.token, 'variants', {
      product: tee.id,
      options: { Size: 'S' },
      sku: uniqueSku(),
      status: 'draft',
    }).catch(() => null)
    expect(draft).toBeNull() // S is taken: a combination exists once per product
    expect((await add({ product: tee.id, variant: small.id, quantity: 11 })).status).toBe(409)
    expect((await add({ product: tee.id, variant: 'abc', quantity: 1 })).status).toBe(400)
    expect((await api<Cart>('/api/carts/mine', { token: buyer.token })).body.items).toEqual([])
  })

  it('flags a line whose variant was unpublished since', async () => {
    await emptyCart()
    await add({ product: tee.id, variant: large.id, quantity: 1 })
    await server.payload.update({ collection: 'variants', id: large.id, data: { status: 'draft' } })
    const cart = await api<Cart>('/api/carts/mine', { token: buyer.token })
    expect(cart.body.items[0]).toMatchObject({ available: false, unitPrice: 0 })
    expect(cart.body.subtotal).toBe(0)
    expect((await checkoutCod(api, buyer.token)).status).toBe(409)
    await server.payload.update({ collection: 'variants', id: large.id, data: { status: 'published' } })
    await emptyCart()
  })
})

describe('checkout', () => {
  it("takes the variant's stock, snapshots it, tells the admins when it runs low, and gives it back on cancellation", async () => {
    const adminSocket = io(server.url, {
      auth: { token: admin.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    sockets.push(adminSocket)
    await new Promise((resolve) => adminSocket.once('connect', () => resolve(undefined)))
    const seen: unknown[] = []
    adminSocket.on('product.low_stock', (data: unknown) => seen.push(data))

    await emptyCart()
    await add({ product: tee.id, variant: large.id, quantity: 8 })
    const placed = await api<{ order: Order } & Errors>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
    })
    expect(placed.status).toBe(201)
    expect(placed.body.order.items).toEqual([
      expect.objectContaining({
        product: tee.id,
        variant: large.id,
        title: 'Tee',
        variantTitle: 'L',
        sku: large.sku,
        unitPrice: 2400,
        quantity: 8,
        lineTotal: 19200,
      }),
    ])
    expect(await variantStock(large.id)).toBe(2)
    expect((await server.payload.findByID({ collection: 'products', id: tee.id })).stock).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen).toEqual([
      { id: tee.id, title: 'Tee', stock: 2, variant: { id: large.id, title: 'L', sku: large.sku } },
    ])

    const cancelled = await api(`/api/orders/${placed.body.order.id}/cancel`, {
      method: 'POST',
      token: buyer.token,
    })
    expect(cancelled.status).toBe(200)
    expect(await variantStock(large.id)).toBe(10)
  })

  it('names the variant on the Stripe Checkout Session, and an expired card order gives its stock back', async () => {
    await emptyCart()
    await add({ product: tee.id, variant: small.id, quantity: 2 })
    const placed = await api<{ order: Order } & Errors>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'card', shippingAddress: ADDRESS },
    })
    expect(placed.status).toBe(201)
    expect(await variantStock(small.id)).toBe(8)
    const sessionId = placed.body.order.payment?.stripeSessionId ?? ''
    expect(double.lineItems(sessionId).map((line) => line.description)).toEqual(['Tee (S)'])
    const event = double.event('checkout.session.expired', double.expire(sessionId))
    const { body, signature } = double.signedPayload(event, SECRET)
    const delivered = await api<{ outcome?: string }>('/api/stripe/webhook', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
    })
    expect(delivered.body.outcome).toBe('applied')
    expect(await variantStock(small.id)).toBe(10)
  })
})
