import Stripe from 'stripe'

import {
  WEBHOOK_SECRET,
  freshCart,
  freshCustomer,
  guestCart,
  guestOrder,
  guestTokens,
  local,
  next,
  pendingOrder,
  rest,
  shelfProduct,
  users,
} from './context'
import type { Doc, Id } from './context'
import { hashToken } from '../../src/guests/tokens'
import { isMember } from './matrix'
import type { Actor, EndpointPolicy, Member } from './matrix'
import { ADDRESS } from '../helpers/shop'
import { failedEmail } from './fixtures'
import { expect } from '@jest/globals'
import { uniqueEmail } from '../helpers/users'

// ---------------------------------------------------------------------------------------------
// Custom endpoints: each runner makes what its request needs, sends it as the actor, returns the status.

export const coupon = async (): Promise<Doc> =>
  local.create({ collection: 'coupons', data: { code: `CART${next()}`, type: 'percent', value: 10 } })

export const cartOf = async (user: Id): Promise<Doc | undefined> =>
  (await local.find({ collection: 'carts', where: { customer: { equals: user } }, depth: 0 })).docs[0]

export const itemsIn = async (user: Id): Promise<unknown[]> =>
  ((await cartOf(user))?.items as unknown[] | undefined) ?? []

/** The actor's cart with the shelf product in it: a member's own, or a new guest cart for cartHolder. */
export async function withItem(actor: Actor): Promise<void> {
  if (actor === 'cartHolder') await guestCart()
  else if (isMember(actor)) await freshCart(users[actor].id)
}

/** The cart the actor's request reaches, when it has one. */
async function cartReachedBy(actor: Actor): Promise<Doc | undefined> {
  if (isMember(actor)) return cartOf(users[actor].id)
  if (actor !== 'cartHolder') return undefined
  return (
    await local.find({ collection: 'carts', where: { tokenHash: { equals: hashToken(guestTokens.cart) } } })
  ).docs[0]
}

export async function savePreference(actor: Member, key: string): Promise<void> {
  await local.create({
    collection: 'payload-preferences',
    data: { key, user: { relationTo: 'users', value: users[actor].id }, value: { open: true } },
    user: users[actor],
  })
}

/** Runs one request as the actor and checks what must hold afterwards; answers the status. */
export type Runner = (actor: Actor) => Promise<number>

export const signedEvent = () => {
  const payload = JSON.stringify({
    id: `evt_${next()}`,
    object: 'event',
    type: 'customer.created',
    data: { object: {} },
  })
  const header = new Stripe('sk_test_rbac').webhooks.generateTestHeaderString({
    payload,
    secret: WEBHOOK_SECRET,
  })
  return { payload, header }
}

/** cartHolder's guest cart, without the shelf product. */
async function emptyGuestCart(): Promise<void> {
  const cart = await guestCart()
  await local.update({ collection: 'carts', id: cart.id, data: { items: [] } })
}

export const RUNNERS: Record<string, Runner> = {
  'GET /api/carts/mine': async (actor) => {
    await freshCart(users.customer.id)
    if (actor === 'cartHolder') await guestCart()
    const res = await rest<{ id?: Id }>(actor, '/api/carts/mine')
    if (res.status === 200) expect(String(res.body.id)).toBe(String((await cartReachedBy(actor))?.id))
    return res.status
  },
  'POST /api/carts/mine/items': async (actor) => {
    await local.delete({ collection: 'carts', where: { customer: { equals: users.customer.id } } })
    if (actor === 'cartHolder') await guestCart()
    const res = await rest(actor, '/api/carts/mine/items', {
      json: { product: shelfProduct.id, quantity: 2 },
    })
    if (actor !== 'customer') expect(await itemsIn(users.customer.id)).toEqual([])
    return res.status
  },
  'PATCH /api/carts/mine/items/:productId': async (actor) => {
    await freshCart(users.customer.id)
    if (actor === 'otherCustomer' || actor === 'admin')
      await local.delete({ collection: 'carts', where: { customer: { equals: users[actor].id } } })
    if (actor === 'cartHolder') await emptyGuestCart()
    const res = await rest(actor, `/api/carts/mine/items/${shelfProduct.id}`, {
      method: 'PATCH',
      json: { quantity: 3 },
    })
    const items = (await itemsIn(users.customer.id)) as { quantity: number }[]
    expect(items[0]?.quantity).toBe(actor === 'customer' ? 3 : 1)
    return res.status
  },
  'DELETE /api/carts/mine/items/:productId': async (actor) => {
    await freshCart(users.customer.id)
    if (actor === 'otherCustomer' || actor === 'admin')
      await local.delete({ collection: 'carts', where: { customer: { equals: users[actor].id } } })
    if (actor === 'cartHolder') await emptyGuestCart()
    const res = await rest(actor, `/api/carts/mine/items/${shelfProduct.id}`, { method: 'DELETE' })
    expect((await itemsIn(users.customer.id)).length).toBe(actor === 'customer' ? 0 : 1)
    return res.status
  },
  'GET /api/carts/mine/shipping-methods': async (actor) =>
    (await rest(actor, '/api/carts/mine/shipping-methods?country=GB')).status,
  'DELETE /api/carts/mine': async (actor) => {
    await freshCart(users.customer.id)
    if (actor === 'cartHolder') await guestCart()
    const res = await rest(actor, '/api/carts/mine', { method: 'DELETE' })
    expect((await itemsIn(users.customer.id)).length).toBe(actor === 'customer' ? 0 : 1)
    return res.status
  },
  'POST /api/carts/mine/coupon': async (actor) => {
    await withItem(actor)
    const code = String((await coupon()).code)
    return (await rest(actor, '/api/carts/mine/coupon', { json: { code } })).status
  },
  'DELETE /api/carts/mine/coupon': async (actor) => {
    await withItem(actor)
    return (await rest(actor, '/api/carts/mine/coupon', { method: 'DELETE' })).status
  },
  'POST /api/checkout': async (actor) => {
    await withItem(actor)
    // Every caller names an email; only a guest's is used.
    const email = uniqueEmail('rbac-checkout')
    // While a shipping method is enabled (the shipping-methods fixtures), checkout names one.
    const methods = await rest<{ methods?: { id: Id }[] }>(
      actor,
      '/api/carts/mine/shipping-methods?country=GB',
    )
    const method = methods.body.methods?.[0]?.id
    const res = await rest<{ order?: { customer: Id | null; email: string }; orderToken?: string }>(
      actor,
      '/api/checkout',
      {
        json: {
          paymentMethod: 'cod',
          shippingAddress: ADDRESS,
          email,
          ...(method !== undefined && { shippingMethod: method }),
        },
      },
    )
    if (res.status === 201 && isMember(actor)) {
      expect(String(res.body.order?.customer)).toBe(String(users[actor].id))
      expect(res.body.orderToken).toBeUndefined()
    }
    if (res.status === 201 && actor === 'cartHolder') {
      expect(res.body.order).toMatchObject({ customer: null, email })
      expect(res.body.orderToken).toMatch(/^[\w-]{43}$/)
    }
    return res.status
  },
  'POST /api/carts/guest': async (actor) => {
    const res = await rest<{ cartToken?: string }>(actor, '/api/carts/guest', { method: 'POST' })
    if (res.status === 201) expect(res.body.cartToken).toMatch(/^[\w-]{43}$/)
    return res.status
  },
  'POST /api/carts/mine/merge': async (actor) => {
    const guest = await guestCart()
    if (isMember(actor))
      await local.delete({ collection: 'carts', where: { customer: { equals: users[actor].id } } })
    const res = await rest(actor, '/api/carts/mine/merge', { json: { cartToken: guestTokens.cart } })
    const left = await local.findByID({ collection: 'carts', id: guest.id, disableErrors: true })
    expect(left === null).toBe(res.status === 200)
    if (res.status === 200 && isMember(actor)) expect(await itemsIn(users[actor].id)).toHaveLength(1)
    return res.status
  },
  "POST /api/orders/:id/cancel (cancel a guest's pending order)": async (actor) => {
    const order = await guestOrder()
    const res = await rest(actor, `/api/orders/${order.id}/cancel`, { method: 'POST' })
    const after = await local.findByID({ collection: 'orders', id: order.id, depth: 0 })
    expect(after?.status).toBe(res.status === 200 ? 'cancelled' : 'pending')
    return res.status
  },
  "POST /api/orders/:id/cancel (cancel the customer's pending order)": async (actor) => {
    // orderHolder holds the token of some other (guest) order.
    await guestOrder()
    const order = await pendingOrder(users.customer.id)
    const res = await rest(actor, `/api/orders/${order.id}/cancel`, { method: 'POST' })
    const after = await local.findByID({ collection: 'orders', id: order.id, depth: 0 })
    expect(after?.status).toBe(res.status === 200 ? 'cancelled' : 'pending')
    return res.status
  },
  'POST /api/order-emails/:id/resend': async (actor) => {
    const order = await pendingOrder(users.customer.id)
    const email = await local.create({ collection: 'order-emails', data: failedEmail(order.id) })
    const res = await rest(actor, `/api/order-emails/${email.id}/resend`, { method: 'POST' })
    const after = await local.findByID({ collection: 'order-emails', id: email.id, depth: 0 })
    if (res.status === 202) expect(after?.attempts).toBeLessThan(10)
    else expect(after).toMatchObject({ state: 'failed', attempts: 10 })
    return res.status
  },
  'POST /api/notifications/broadcast': async (actor) =>
    (await rest(actor, '/api/notifications/broadcast', { json: { message: 'Maintenance at noon' } })).status,
  'GET /api/dashboard': async (actor) => (await rest(actor, '/api/dashboard')).status,
  'POST /api/stripe/webhook (a Stripe event without a valid signature)': async (actor) => {
    const { payload } = signedEvent()
    const res = await rest(actor, '/api/stripe/webhook', {
      body: payload,
      headers: {
        'Content-Type': 'application/json',
        'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v1=00`,
      },
    })
    return res.status
  },
  'POST /api/stripe/webhook (a Stripe event signed with STRIPE_WEBHOOK_SECRET)': async (actor) => {
    const { payload, header } = signedEvent()
    const res = await rest(actor, '/api/stripe/webhook', {
      body: payload,
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header },
    })
    return res.status
  },
  'GET /api/health': async (actor) => (await rest(actor, '/api/health')).status,
  'GET /api/ready': async (actor) => (await rest(actor, '/api/ready')).status,
  'GET /api/openapi.json': async (actor) => (await rest(actor, '/api/openapi.json')).status,
  'GET /api/docs': async (actor) => (await rest(actor, '/api/docs')).status,
  'GET /api/users/me': async (actor) => {
    const res = await rest<{ user: Doc | null }>(actor, '/api/users/me')
    if (!isMember(actor)) expect(res.body.user).toBeNull()
    else expect(String(res.body.user?.id)).toBe(String(users[actor].id))
    return res.status
  },
  'POST /api/users/first-register': async (actor) => {
    const email = uniqueEmail('late-admin')
    const res = await rest(actor, '/api/users/first-register', {
      json: { email, password: 'late-pass-123', 'confirm-password': 'late-pass-123' },
    })
    expect((await local.find({ collection: 'users', where: { email: { equals: email } } })).docs).toEqual([])
    return res.status
  },
  'POST /api/users/unlock': async (actor) => {
    const locked = await freshCustomer()
    await local.update({
      collection: 'users',
      id: locked.id,
      data: { loginAttempts: 5, lockUntil: new Date(Date.now() + 600_000).toISOString() },
    })
    const res = await rest(actor, '/api/users/unlock', { json: { email: locked.email } })
    const after = await local.findByID({ collection: 'users', id: locked.id, showHiddenFields: true })
    expect(Boolean(after?.lockUntil)).toBe(res.status !== 200)
    return res.status
  },
  'GET /api/payload-preferences/:key': async (actor) => {
    const key = `nav-${next()}`
    if (isMember(actor)) await savePreference(actor, key)
    const res = await rest<{ value?: unknown }>(actor, `/api/payload-preferences/${key}`)
    if (res.status === 200) expect(res.body.value).toEqual({ open: true })
    return res.status
  },
  'POST /api/payload-preferences/:key': async (actor) => {
    const key = `nav-${next()}`
    const res = await rest(actor, `/api/payload-preferences/${key}`, { json: { value: { open: false } } })
    const saved = await local.find({ collection: 'payload-preferences', where: { key: { equals: key } } })
    expect(saved.docs.length).toBe(res.status === 200 ? 1 : 0)
    return res.status
  },
  'DELETE /api/payload-preferences/:key': async (actor) => {
    const key = `nav-${next()}`
    if (isMember(actor)) await savePreference(actor, key)
    const res = await rest(actor, `/api/payload-preferences/${key}`, { method: 'DELETE' })
    const left = await local.find({ collection: 'payload-preferences', where: { key: { equals: key } } })
    expect(left.docs.length).toBe(!isMember(actor) || res.status === 200 ? 0 : 1)
    if (actor === 'admin') {
      const unknown = await rest(actor, `/api/payload-preferences/missing-${next()}`, { method: 'DELETE' })
      expect(unknown.status).toBe(404)
    }
    return res.status
  },
  'GET /api/payload-migrations': async (actor) => (await rest(actor, '/api/payload-migrations')).status,
}

export function runnerOf(key: string): Runner {
  const runner = RUNNERS[key]
  if (!runner) throw new Error(`no runner for ${key}`)
  return runner
}

export const endpointKey = (endpoint: EndpointPolicy): string => {
  const plain = `${endpoint.method} ${endpoint.path}`
  return RUNNERS[plain] ? plain : `${plain} (${endpoint.what})`
}
