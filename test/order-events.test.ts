import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { io } from 'socket.io-client'
import Stripe from 'stripe'
import type { Socket } from 'socket.io-client'

import { create, product } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { eventually } from './helpers/services'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'
import type { OrderEventName, OrderEventPayload } from '../src/realtime/events'

// Issue 13, item 6: every order event carries the order as committed by the change that caused it.
// For each path that changes an order, the events a real Socket.IO client receives (the owner's
// and an admin's) must equal a read of the order made right after, and be the events that change
// means. Before the fix, order.paid after checkout.session.completed said status "pending".

const SECRET = 'whsec_test_secret_0123456789'
const NAMES: OrderEventName[] = ['order.created', 'order.updated', 'order.paid', 'order.cancelled']

let double: StripeDouble
let server: TestServer
let api: Api
let admin: Account
let alice: Account
let ownerSocket: Socket
let adminSocket: Socket
const received: { socket: 'owner' | 'admin'; name: OrderEventName; payload: OrderEventPayload }[] = []

type CardOrder = OrderView & {
  payment?: { stripeSessionId?: string | null; stripePaymentIntentId?: string | null }
}

function connect(token: string): Promise<Socket> {
  const socket = io(server.url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

beforeAll(async () => {
  double = await new StripeDouble().start()
  server = await startTestServer({ ...double.storeEnv(SECRET), STRIPE_SWEEP_AFTER_S: '60' })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice] = (await customersViaLocalApi(server.payload, api, 1, 'events')) as [Account]
  ownerSocket = await connect(alice.token)
  adminSocket = await connect(admin.token)
  for (const [who, socket] of [
    ['owner', ownerSocket],
    ['admin', adminSocket],
  ] as const) {
    for (const name of NAMES)
      socket.on(name, (payload: OrderEventPayload) => received.push({ socket: who, name, payload }))
  }
}, 90_000)

afterAll(async () => {
  ownerSocket?.disconnect()
  adminSocket?.disconnect()
  await server?.stop()
  await double?.stop()
})

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `change`, then checks that the owner and an admin each received exactly `names` for the
 * order, and that every payload equals the order read right after as its owner.
 */
async function expectEvents(
  names: OrderEventName[],
  change: () => Promise<number | string>,
): Promise<OrderEventPayload> {
  received.length = 0
  const id = await change()
  const mine = () => received.filter((event) => event.payload.id === id)
  await eventually(
    async () => mine().length,
    (count) => count >= names.length * 2,
    5000,
  )
  await quiet(300)
  const read = await api<OrderView>(`/api/orders/${id}`, { token: alice.token })
  expect(read.status).toBe(200)
  const committed: OrderEventPayload = {
    id: read.body.id as OrderEventPayload['id'],
    orderNumber: read.body.orderNumber,
    status: read.body.status as OrderEventPayload['status'],
    paymentStatus: read.body.paymentStatus as OrderEventPayload['paymentStatus'],
    total: read.body.total,
  }
  for (const who of ['owner', 'admin'] as const) {
    const seen = mine().filter((event) => event.socket === who)
    expect(seen.map((event) => event.name).sort()).toEqual([...names].sort())
    for (const event of seen) expect(event.payload).toEqual(committed)
  }
  return committed
}

async function newProduct(stock = 20) {
  return create(api, admin.token, 'products', product({ price: 2500, stock }))
}

async function cardOrder(): Promise<CardOrder> {
  const item = await newProduct()
  await addToCart(api, alice.token, item.id, 1)
  const res = await api<{ order: CardOrder }>('/api/checkout', {
    token: alice.token,
    json: { paymentMethod: 'card', shippingAddress: ADDRESS },
  })
  expect(res.status).toBe(201)
  return res.body.order
}

async function codOrder(): Promise<OrderView> {
  const item = await newProduct()
  await addToCart(api, alice.token, item.id, 1)
  const res = await checkoutCod(api, alice.token)
  expect(res.status).toBe(201)
  return res.body.order
}

async function deliver(type: string, object: unknown) {
  const { body, signature } = double.signedPayload(double.event(type, object), SECRET)
  const res = await api<{ outcome: string }>('/api/stripe/webhook', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
  })
  expect(res.status).toBe(200)
  return res.body.outcome
}

async function paidCardOrder(): Promise<CardOrder> {
  const order = await cardOrder()
  await deliver('checkout.session.completed', double.complete(order.payment?.stripeSessionId ?? ''))
  return (await api<CardOrder>(`/api/orders/${order.id}`, { token: admin.token })).body
}

let sweepAt = Date.now() + 3_600_000
async function sweep(): Promise<void> {
  const { sweepUnpaidCardOrders } = await import('../src/payments/sweep')
  // Past the lease the previous sweep took (STRIPE_SWEEP_INTERVAL_S, 300 s by default).
  sweepAt += 600_000
  await sweepUnpaidCardOrders(server.payload, sweepAt)
}

describe('every order event is the order as its change committed it', () => {
  it('checkout, cash on delivery: order.created', async () => {
    const state = await expectEvents(['order.created'], async () => (await codOrder()).id)
    expect(state).toMatchObject({ status: 'pending', paymentStatus: 'unpaid' })
  })

  it('checkout, card: order.created', async () => {
    const state = await expectEvents(['order.created'], async () => (await cardOrder()).id)
    expect(state).toMatchObject({ status: 'pending', paymentStatus: 'unpaid' })
  })

  it('admin PATCH: order.updated', async () => {
    const order = await codOrder()
    const state = await expectEvents(['order.updated'], async () => {
      const res = await api(`/api/orders/${order.id}`, {
        method: 'PATCH',
        token: admin.token,
        json: { status: 'processing' },
      })
      expect(res.status).toBe(200)
      return order.id
    })
    expect(state).toMatchObject({ status: 'processing', paymentStatus: 'unpaid' })
  })

  it('owner cancel: order.updated and order.cancelled', async () => {
    const order = await codOrder()
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      expect(
        (await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: alice.token })).status,
      ).toBe(200)
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled' })
  })

  it('webhook checkout.session.completed: order.paid says processing, as committed', async () => {
    const order = await cardOrder()
    const state = await expectEvents(['order.updated', 'order.paid'], async () => {
      expect(
        await deliver('checkout.session.completed', double.complete(order.payment?.stripeSessionId ?? '')),
      ).toBe('applied')
      return order.id
    })
    expect(state).toMatchObject({ status: 'processing', paymentStatus: 'paid' })
  })

  it('owner cancel of a paid card order: cancelled and already refunded', async () => {
    const order = await paidCardOrder()
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      expect(
        (await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: alice.token })).status,
      ).toBe(200)
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
  })

  it('admin PATCH to cancelled of a paid card order: cancelled and already refunded', async () => {
    const order = await paidCardOrder()
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      const res = await api(`/api/orders/${order.id}`, {
        method: 'PATCH',
        token: admin.token,
        json: { status: 'cancelled' },
      })
      expect(res.status).toBe(200)
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
  })

  it('webhook checkout.session.async_payment_failed: cancelled and failed', async () => {
    const order = await cardOrder()
    const sessionId = order.payment?.stripeSessionId ?? ''
    double.complete(sessionId, { paid: false })
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      expect(
        await deliver(
          'checkout.session.async_payment_failed',
          double.settle(sessionId, { succeeded: false }),
        ),
      ).toBe('applied')
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'failed' })
  })

  it('webhook checkout.session.expired: cancelled and failed', async () => {
    const order = await cardOrder()
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      expect(
        await deliver('checkout.session.expired', double.expire(order.payment?.stripeSessionId ?? '')),
      ).toBe('applied')
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'failed' })
  })

  it('webhook charge.refunded (full): cancelled and refunded', async () => {
    const order = await paidCardOrder()
    const intent = order.payment?.stripePaymentIntentId ?? ''
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      const dashboard = new Stripe('sk_test_dashboard', { ...double.clientOptions(), maxNetworkRetries: 0 })
      await dashboard.refunds.create({ payment_intent: intent })
      const charge = double.charge(double.paymentIntent(intent)?.latest_charge ?? '')
      expect(await deliver('charge.refunded', charge)).toBe('applied')
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
  })

  it('sweep of a paid session whose webhook was lost: order.paid says processing', async () => {
    const order = await cardOrder()
    double.complete(order.payment?.stripeSessionId ?? '')
    const state = await expectEvents(['order.updated', 'order.paid'], async () => {
      await sweep()
      return order.id
    })
    expect(state).toMatchObject({ status: 'processing', paymentStatus: 'paid' })
  })

  it('sweep expiring a session past its expiry: cancelled and failed', async () => {
    const order = await cardOrder()
    const state = await expectEvents(['order.updated', 'order.cancelled'], async () => {
      await sweep()
      return order.id
    })
    expect(state).toMatchObject({ status: 'cancelled', paymentStatus: 'failed' })
    expect(double.session(order.payment?.stripeSessionId ?? '')?.status).toBe('expired')
  })

  it('checkouts racing for the last units: order.created for the orders placed, none for the ones that lost', async () => {
    const racers = await customersViaLocalApi(server.payload, api, 6, 'lastunits')
    const item = await newProduct(2)
    for (const racer of racers) expect((await addToCart(api, racer.token, item.id, 1)).status).toBe(200)
    received.length = 0
    const answers = await Promise.all(racers.map((racer) => checkoutCod(api, racer.token)))
    const placed = answers.filter((res) => res.status === 201).map((res) => String(res.body.order.id))
    expect(placed).toHaveLength(2)
    for (const res of answers.filter((answer) => answer.status !== 201)) expect(res.status).toBe(409)
    await eventually(
      async () => received.filter((event) => event.socket === 'admin' && event.name === 'order.created'),
      (events) => events.length >= 2,
      5000,
    )
    await quiet(300)
    const created = received
      .filter((event) => event.socket === 'admin' && event.name === 'order.created')
      .map((event) => String(event.payload.id))
    expect(created.sort()).toEqual([...placed].sort())
  })
})
