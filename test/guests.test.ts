import { createHash } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client, tokenFrom } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { customersViaLocalApi, firstAdmin, login, uniqueEmail } from './helpers/users'
import type { Account } from './helpers/users'

// Guests: a cart by token, checkout by email, the order by its token (REST and Socket.IO), a merge
// into the account on login, coupon limits by email. Nothing of a guest's reaches anyone else.

const TTL_S = 3600

let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account
const sockets: Socket[] = []

beforeAll(async () => {
  server = await startTestServer({ GUEST_CART_TTL_S: String(TTL_S) })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'guests')) as [Account, Account]
}, 180_000)

afterAll(async () => {
  for (const socket of sockets) socket.disconnect()
  await server?.stop()
})

type GuestCart = { cartToken: string; cart: CartView }
type GuestOrder = { order: OrderView; orderToken: string } & Errors
type Row = { id: number | string; [field: string]: unknown }

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const code = (res: { body: unknown }): string | undefined => (res.body as Errors).errors?.[0]?.data?.code
const asGuest = (cartToken: string): Record<string, string> => ({ 'X-Cart-Token': cartToken })
const withOrder = (orderToken: string): Record<string, string> => ({ 'X-Order-Token': orderToken })

async function newGuestCart(): Promise<string> {
  const res = await api<GuestCart>('/api/carts/guest', { method: 'POST' })
  expect(res.status).toBe(201)
  return res.body.cartToken
}

const guestAdd = (cartToken: string, item: Doc, quantity = 1) =>
  api<CartView & Errors>('/api/carts/mine/items', {
    headers: asGuest(cartToken),
    json: { product: item.id, quantity },
  })

const guestCheckout = (cartToken: string, body: Record<string, unknown> = {}) =>
  api<GuestOrder>('/api/checkout', {
    headers: asGuest(cartToken),
    json: { paymentMethod: 'cod', shippingAddress: ADDRESS, ...body },
  })

const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id })).stock

describe('guest carts', () => {
  let mug: Doc

  beforeAll(async () => {
    mug = await create(api, admin.token, 'products', product({ price: 1500, stock: 10 }))
  })

  it('POST /api/carts/guest answers a 256-bit token and an empty cart; only its hash is stored', async () => {
    const res = await api<GuestCart>('/api/carts/guest', { method: 'POST' })
    expect(res.status).toBe(201)
    expect(res.body.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(res.body.cart).toMatchObject({ items: [], coupon: null, subtotal: 0, total: 0 })
    const row = await server.payload.db.findOne<Row>({
      collection: 'carts',
      where: { id: { equals: res.body.cart.id } },
    })
    expect(row?.tokenHash).toBe(sha256(res.body.cartToken))
    expect(JSON.stringify(row)).not.toContain(res.body.cartToken)
  })

  it('every cart endpoint works with X-Cart-Token and no login', async () => {
    const lamp = await create(api, admin.token, 'products', product({ price: 900, stock: 5 }))
    const coupon = await create(api, admin.token, 'coupons', {
      code: `GUEST${Date.now()}`,
      type: 'fixed',
      value: 100,
    })
    const token = await newGuestCart()
    const headers = asGuest(token)
    expect((await guestAdd(token, mug, 2)).body.subtotal).toBe(3000)
    expect((await guestAdd(token, lamp, 1)).body.items).toHaveLength(2)
    const set = await api<CartView>(`/api/carts/mine/items/${mug.id}`, {
      method: 'PATCH',
      headers,
      json: { quantity: 3 },
    })
    expect(set.body.subtotal).toBe(4500 + 900)
    const removed = await api<CartView>(`/api/carts/mine/items/${lamp.id}`, { method: 'DELETE', headers })
    expect(removed.body.items).toHaveLength(1)
    const applied = await api<CartView>('/api/carts/mine/coupon', { headers, json: { code: coupon.code } })
    expect(applied.status).toBe(200)
    expect(applied.body.discount).toBe(100)
    expect(
      (await api<CartView>('/api/carts/mine/coupon', { method: 'DELETE', headers })).body.coupon,
    ).toBeNull()
    const read = await api<CartView>('/api/carts/mine', { headers })
    expect(read.status).toBe(200)
    expect(read.body.items[0]?.quantity).toBe(3)
    expect((await api<CartView>('/api/carts/mine', { method: 'DELETE', headers })).body.items).toEqual([])
  })

  it('an unknown or malformed token is 404, no token and no login 401, and a login wins over the header', async () => {
    const token = await newGuestCart()
    expect((await guestAdd(token, mug, 1)).status).toBe(200)
    for (const wrong of ['A'.repeat(43), 'short', token.slice(0, 42) + (token.endsWith('A') ? 'B' : 'A')]) {
      const res = await api('/api/carts/mine', { headers: asGuest(wrong) })
      expect([wrong, res.status]).toEqual([wrong, 404])
      expect((await guestAdd(wrong, mug)).status).toBe(404)
    }
    expect((await api('/api/carts/mine')).status).toBe(401)
    const mine = await api<CartView>('/api/carts/mine', { token: alice.token, headers: asGuest(token) })
    expect(mine.status).toBe(200)
    expect(mine.body.items.some((line) => String(line.product.id) === String(mug.id))).toBe(false)
  })

  it('a guest cart is nobody else’s: not listed or read by customers, anonymous callers or GraphQL', async () => {
    const token = await newGuestCart()
    const cart = (await guestAdd(token, mug, 1)).body
    for (const caller of [alice.token, undefined]) {
      expect((await api(`/api/carts/${cart.id}`, { token: caller })).status).not.toBe(200)
      const listed = await api<{ docs?: { id: unknown }[] }>('/api/carts', { token: caller })
      expect((listed.body.docs ?? []).some((doc) => doc.id === cart.id)).toBe(false)
      const graphql = await api<{ data?: { Carts?: { docs: { id: unknown }[] } | null } }>('/api/graphql', {
        token: caller,
        json: { query: '{ Carts { docs { id } } }' },
      })
      expect((graphql.body.data?.Carts?.docs ?? []).some((doc) => String(doc.id) === String(cart.id))).toBe(
        false,
      )
    }
    // Admins see it, never its token or the token's hash.
    const asAdmin = await api<Record<string, unknown>>(`/api/carts/${cart.id}`, { token: admin.token })
    expect(asAdmin.status).toBe(200)
    expect(asAdmin.body).not.toHaveProperty('tokenHash')
    expect(asAdmin.text).not.toContain(sha256(token))
  })

  it('the sweep removes guest carts unchanged for GUEST_CART_TTL_S, once, and keeps the rest', async () => {
    const stale = await newGuestCart()
    const fresh = await newGuestCart()
    expect((await guestAdd(stale, mug, 1)).status).toBe(200)
    await api('/api/carts/mine', { token: bob.token })
    const staleId = (await api<CartView>('/api/carts/mine', { headers: asGuest(stale) })).body.id
    // Age the stale cart as if untouched for longer than the TTL.
    await server.payload.db.updateOne({
      collection: 'carts',
      id: staleId,
      data: { updatedAt: new Date(Date.now() - (TTL_S + 60) * 1000).toISOString() },
    })
    // Imported once the server has set the environment (the module reads it on load).
    const { sweepGuestCarts } = await import('../src/cart/guestCarts')
    const result = await sweepGuestCarts(server.payload, Date.now())
    expect(result.removed).toBeGreaterThanOrEqual(1)
    expect((await api('/api/carts/mine', { headers: asGuest(stale) })).status).toBe(404)
    expect((await api('/api/carts/mine', { headers: asGuest(fresh) })).status).toBe(200)
    expect((await api('/api/carts/mine', { token: bob.token })).status).toBe(200)
    // One instance at a time: within the interval the lease is taken.
    expect((await sweepGuestCarts(server.payload, Date.now())).skipped).toBe('lease')
  })
})

describe('guest checkout and the guest order', () => {
  let vase: Doc

  beforeAll(async () => {
    vase = await create(api, admin.token, 'products', product({ price: 2500, stock: 20 }))
  })

  async function placeGuestOrder(email = uniqueEmail('guest')): Promise<GuestOrder> {
    const token = await newGuestCart()
    expect((await guestAdd(token, vase, 2)).status).toBe(200)
    const res = await guestCheckout(token, { email })
    expect(res.status).toBe(201)
    return res.body
  }

  it('needs an email (400 naming it), and a valid one', async () => {
    const token = await newGuestCart()
    await guestAdd(token, vase, 1)
    const missing = await guestCheckout(token)
    expect(missing.status).toBe(400)
    expect(missing.text).toContain('email')
    expect((await guestCheckout(token, { email: 'not-an-email' })).status).toBe(400)
    expect((await api<CartView>('/api/carts/mine', { headers: asGuest(token) })).body.items).toHaveLength(1)
  })

  it('answers the order with an orderToken, stores only its hash, and empties the guest cart', async () => {
    const token = await newGuestCart()
    await guestAdd(token, vase, 2)
    const before = await stockOf(vase.id)
    const res = await guestCheckout(token, { email: '  Guest.Person@Example.TEST ' })
    expect(res.status).toBe(201)
    expect(res.body.orderToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(res.body.order).toMatchObject({ customer: null, email: 'guest.person@example.test', total: 5000 })
    expect(res.body.order).not.toHaveProperty('orderTokenHash')
    expect(await stockOf(vase.id)).toBe(before - 2)
    const row = await server.payload.db.findOne<Row>({
      collection: 'orders',
      where: { id: { equals: res.body.order.id } },
    })
    expect(row?.orderTokenHash).toBe(sha256(res.body.orderToken))
    expect((await api<CartView>('/api/carts/mine', { headers: asGuest(token) })).body.items).toEqual([])
  })

  it('an Idempotency-Key retry gets the same order and the same token', async () => {
    const token = await newGuestCart()
    await guestAdd(token, vase, 1)
    const send = () =>
      api<GuestOrder>('/api/checkout', {
        headers: { ...asGuest(token), 'Idempotency-Key': 'guest-retry-1' },
        json: { paymentMethod: 'cod', shippingAddress: ADDRESS, email: 'retry@example.test' },
      })
    const first = await send()
    const again = await send()
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body.order.id).toBe(first.body.order.id)
    expect(again.body.orderToken).toBe(first.body.orderToken)
  })

  it('the order token reads and cancels that order, and nothing else', async () => {
    const mine = await placeGuestOrder()
    const other = await placeGuestOrder()
    const read = await api<OrderView>(`/api/orders/${mine.order.id}`, { headers: withOrder(mine.orderToken) })
    expect(read.status).toBe(200)
    expect(read.body.id).toBe(mine.order.id)
    expect(read.text).not.toContain(sha256(mine.orderToken))
    // Another order's id with this token, this id with another token or none: not found.
    expect((await api(`/api/orders/${other.order.id}`, { headers: withOrder(mine.orderToken) })).status).toBe(
      404,
    )
    expect((await api(`/api/orders/${mine.order.id}`, { headers: withOrder(other.orderToken) })).status).toBe(
      404,
    )
    expect([403, 404]).toContain((await api(`/api/orders/${mine.order.id}`)).status)
    const listed = await api<{ docs: { id: unknown }[] }>('/api/orders', {
      headers: withOrder(mine.orderToken),
    })
    expect(listed.body.docs.map((doc) => doc.id)).toEqual([mine.order.id])
    // The token is not a way into the cart, nor a cart token into the order.
    expect((await api('/api/carts/mine', { headers: asGuest(mine.orderToken) })).status).toBe(404)
    expect(
      (
        await api(`/api/orders/${other.order.id}/cancel`, {
          method: 'POST',
          headers: withOrder(mine.orderToken),
        })
      ).status,
    ).toBe(404)
    const before = await stockOf(vase.id)
    const cancelled = await api<{ order: OrderView }>(`/api/orders/${mine.order.id}/cancel`, {
      method: 'POST',
      headers: withOrder(mine.orderToken),
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.order.status).toBe('cancelled')
    expect(await stockOf(vase.id)).toBe(before + 2)
    const again = await api(`/api/orders/${mine.order.id}/cancel`, {
      method: 'POST',
      headers: withOrder(mine.orderToken),
    })
    expect(again.status).toBe(409)
    // Changing it otherwise is an admin's: a PATCH with the token is refused.
    const patched = await api(`/api/orders/${other.order.id}`, {
      method: 'PATCH',
      headers: withOrder(other.orderToken),
      json: { status: 'processing' },
    })
    expect(patched.status).toBe(403)
  })

  it("an admin's edits keep the guest's keys: the order and the cart still answer their tokens", async () => {
    const placed = await placeGuestOrder()
    const moved = await api(`/api/orders/${placed.order.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { status: 'processing' },
    })
    expect(moved.status).toBe(200)
    const read = await api<OrderView>(`/api/orders/${placed.order.id}`, {
      headers: withOrder(placed.orderToken),
    })
    expect(read.body.status).toBe('processing')
    const token = await newGuestCart()
    const cart = (await guestAdd(token, vase, 1)).body
    const edited = await api(`/api/carts/${cart.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { items: [{ product: vase.id, quantity: 2 }] },
    })
    expect(edited.status).toBe(200)
    expect(
      (await api<CartView>('/api/carts/mine', { headers: asGuest(token) })).body.items[0]?.quantity,
    ).toBe(2)
  })

  it('guest orders reach no other customer, anonymous reader or GraphQL query', async () => {
    const placed = await placeGuestOrder()
    for (const caller of [alice.token, bob.token, undefined]) {
      expect([403, 404]).toContain((await api(`/api/orders/${placed.order.id}`, { token: caller })).status)
      const listed = await api<{ docs?: { id: unknown }[] }>('/api/orders', { token: caller })
      expect((listed.body.docs ?? []).some((doc) => doc.id === placed.order.id)).toBe(false)
      const graphql = await api<{ data?: { Orders?: { docs: { id: unknown }[] } | null } }>('/api/graphql', {
        token: caller,
        json: { query: '{ Orders { docs { id email } } }' },
      })
      expect(
        (graphql.body.data?.Orders?.docs ?? []).some((doc) => String(doc.id) === String(placed.order.id)),
      ).toBe(false)
    }
    // A customer holding a guest's token does not read the guest's order through it.
    expect(
      (
        await api(`/api/orders/${placed.order.id}`, {
          token: alice.token,
          headers: withOrder(placed.orderToken),
        })
      ).status,
    ).toBe(404)
    // Filtering on the hash is refused or matches nothing.
    const probe = await api<{ docs?: unknown[] }>(
      `/api/orders?where[orderTokenHash][equals]=${sha256(placed.orderToken)}`,
      { token: alice.token },
    )
    expect(probe.body.docs ?? []).toEqual([])
  })

  it('a guest socket with the order token joins that order only and gets its events', async () => {
    const placed = await placeGuestOrder()
    const other = await placeGuestOrder()
    const socket = io(server.url, {
      auth: { orderToken: placed.orderToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    sockets.push(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    const refused = await socket.timeout(2000).emitWithAck('order:subscribe', { orderId: other.order.id })
    expect(refused).toEqual({ error: 'not allowed' })
    const seen: { id: unknown; status: string }[] = []
    socket.on('order.cancelled', (event: { id: unknown; status: string }) => seen.push(event))
    await api(`/api/orders/${other.order.id}/cancel`, {
      method: 'POST',
      headers: withOrder(other.orderToken),
    })
    await api(`/api/orders/${placed.order.id}/cancel`, {
      method: 'POST',
      headers: withOrder(placed.orderToken),
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seen).toEqual([expect.objectContaining({ id: placed.order.id, status: 'cancelled' })])

    const bad = io(server.url, {
      auth: { orderToken: 'x'.repeat(43) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    sockets.push(bad)
    const message = await new Promise<string>((resolve) =>
      bad.once('connect_error', (error) => resolve(error.message)),
    )
    expect(message).toBe('unauthorized')
  })
})

describe('merge into the account on login', () => {
  it('adds the guest lines once (capped at stock), keeps the guest coupon, and the token is gone', async () => {
    const [carol] = await customersViaLocalApi(server.payload, api, 1, 'merge')
    const scarce = await create(api, admin.token, 'products', product({ price: 1000, stock: 3 }))
    const plenty = await create(api, admin.token, 'products', product({ price: 500, stock: 50 }))
    const coupon = await create(api, admin.token, 'coupons', {
      code: `MERGE${Date.now()}`,
      type: 'percent',
      value: 10,
    })
    expect((await addToCart(api, carol!.token, scarce.id, 2)).status).toBe(200)
    const token = await newGuestCart()
    await guestAdd(token, scarce, 2)
    await guestAdd(token, plenty, 4)
    await api('/api/carts/mine/coupon', { headers: asGuest(token), json: { code: coupon.code } })

    const merged = await api<CartView>('/api/carts/mine/merge', {
      token: carol!.token,
      json: { cartToken: token },
    })
    expect(merged.status).toBe(200)
    const quantities = Object.fromEntries(
      merged.body.items.map((line) => [String(line.product.id), line.quantity]),
    )
    expect(quantities).toEqual({ [String(scarce.id)]: 3, [String(plenty.id)]: 4 })
    expect(merged.body.coupon?.code).toBe(coupon.code)
    expect((await api('/api/carts/mine', { headers: asGuest(token) })).status).toBe(404)
    const again = await api('/api/carts/mine/merge', { token: carol!.token, json: { cartToken: token } })
    expect(again.status).toBe(404)
    const after = await api<CartView>('/api/carts/mine', { token: carol!.token })
    expect(after.body.items.map((line) => line.quantity).sort()).toEqual([3, 4])
  })

  it('needs a login and a cartToken; the customer’s own coupon stays', async () => {
    const token = await newGuestCart()
    expect((await api('/api/carts/mine/merge', { json: { cartToken: token } })).status).toBe(401)
    expect((await api('/api/carts/mine/merge', { token: bob.token, json: {} })).status).toBe(400)
    expect((await api('/api/carts/mine/merge', { token: bob.token, json: { cartToken: 1 } })).status).toBe(
      400,
    )
    const first = await create(api, admin.token, 'coupons', {
      code: `OWN${Date.now()}`,
      type: 'fixed',
      value: 1,
    })
    const second = await create(api, admin.token, 'coupons', {
      code: `GST${Date.now()}`,
      type: 'fixed',
      value: 2,
    })
    const item = await create(api, admin.token, 'products', product({ price: 1000, stock: 5 }))
    await addToCart(api, bob.token, item.id, 1)
    await api('/api/carts/mine/coupon', { token: bob.token, json: { code: first.code } })
    await guestAdd(token, item, 1)
    await api('/api/carts/mine/coupon', { headers: asGuest(token), json: { code: second.code } })
    const merged = await api<CartView>('/api/carts/mine/merge', {
      token: bob.token,
      json: { cartToken: token },
    })
    expect(merged.status).toBe(200)
    expect(merged.body.coupon?.code).toBe(first.code)
  })
})

describe('verifying an email address', () => {
  it('makes the guest orders placed with it the customer’s, and no one else’s', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 700, stock: 50 }))
    const email = uniqueEmail('becomes-customer')
    const placeAs = async (address: string) => {
      const token = await newGuestCart()
      await guestAdd(token, item, 1)
      const res = await guestCheckout(token, { email: address })
      expect(res.status).toBe(201)
      return res.body
    }
    const first = await placeAs(email.toUpperCase())
    const unrelated = await placeAs(uniqueEmail('someone-else'))
    const password = 'became-customer-123'
    const registered = await api<{ doc: { id: number | string } }>('/api/users', {
      json: { email, password },
    })
    expect(registered.status).toBe(201)
    // Registered but not verified: nothing is theirs yet.
    const before = await server.payload.findByID({ collection: 'orders', id: first.order.id })
    expect(before.customer ?? null).toBeNull()
    const mail = await server.mailbox.waitForTo(email, /verify/i)
    const verified = await api(`/api/users/verify/${tokenFrom(mail.text)}`, { method: 'POST' })
    expect(verified.status).toBe(200)
    const token = await login(api, email, password)
    const listed = await api<{ docs: OrderView[] }>('/api/orders?depth=0', { token })
    expect(listed.body.docs.map((order) => order.id)).toEqual([first.order.id])
    expect(String(listed.body.docs[0]?.customer)).toBe(String(registered.body.doc.id))
    // The guest's token still reads it; the unrelated guest order stays a guest's.
    expect(
      (await api(`/api/orders/${first.order.id}`, { headers: withOrder(first.orderToken) })).status,
    ).toBe(200)
    const other = await server.payload.findByID({ collection: 'orders', id: unrelated.order.id })
    expect(other.customer ?? null).toBeNull()
    // A wrong verification token is refused as before and claims nothing.
    expect((await api('/api/users/verify/not-a-token', { method: 'POST' })).status).toBe(403)
  })

  it('a login claims what its verified address has not yet (a GraphQL verification, a later guest order)', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 700, stock: 50 }))
    const [dana] = await customersViaLocalApi(server.payload, api, 1, 'later')
    const token = await newGuestCart()
    await guestAdd(token, item, 1)
    const placed = (await guestCheckout(token, { email: dana!.email })).body
    const before = await api<{ docs: OrderView[] }>('/api/orders?depth=0', { token: dana!.token })
    expect(before.body.docs).toEqual([])
    const again = await login(api, dana!.email, dana!.password)
    const after = await api<{ docs: OrderView[] }>('/api/orders?depth=0', { token: again })
    expect(after.body.docs.map((order) => order.id)).toEqual([placed.order.id])
  })

  it('an admin vouching for an address (_verified) claims its guest orders too', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 700, stock: 50 }))
    const email = uniqueEmail('vouched')
    const token = await newGuestCart()
    await guestAdd(token, item, 1)
    const placed = (await guestCheckout(token, { email })).body
    const [account] = await server.payload
      .create({
        collection: 'users',
        data: { email, password: 'vouched-pass-123', roles: ['customer'], _verified: true },
        disableVerificationEmail: true,
      })
      .then((user) => [user])
    const order = await server.payload.findByID({ collection: 'orders', id: placed.order.id, depth: 0 })
    expect(String(order.customer)).toBe(String(account!.id))
  })
})

describe('coupon limits per customer count guests by email', () => {
  it('a guest with an account’s email shares its limit; guests of one email share theirs', async () => {
    const coupon = await create(api, admin.token, 'coupons', {
      code: `ONCE${Date.now()}`,
      type: 'fixed',
      value: 100,
      maxUsesPerCustomer: 1,
    })
    const item = await create(api, admin.token, 'products', product({ price: 1000, stock: 50 }))
    const guestWithCoupon = async (email: string) => {
      const token = await newGuestCart()
      await guestAdd(token, item, 1)
      expect(
        (await api('/api/carts/mine/coupon', { headers: asGuest(token), json: { code: coupon.code } }))
          .status,
      ).toBe(200)
      return guestCheckout(token, { email })
    }
    // The account used it: a guest checkout with its email (any case) is refused.
    await addToCart(api, alice.token, item.id, 1)
    await api('/api/carts/mine/coupon', { token: alice.token, json: { code: coupon.code } })
    expect((await checkoutCod(api, alice.token)).status).toBe(201)
    const asAlice = await guestWithCoupon(alice.email.toUpperCase())
    expect(asAlice.status).toBe(409)
    expect(code(asAlice)).toBe('COUPON_UNAVAILABLE')
    // A new email: once, then refused.
    const email = uniqueEmail('coupon-guest')
    expect((await guestWithCoupon(email)).status).toBe(201)
    expect(code(await guestWithCoupon(` ${email.toUpperCase()}`))).toBe('COUPON_UNAVAILABLE')
  })
})
