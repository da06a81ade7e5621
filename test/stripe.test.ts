import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import Stripe from 'stripe'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { STOREFRONT } from './helpers/store/env'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart } from './helpers/shop'
import type { Errors, OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// The real Stripe SDK against a local double of the Stripe API, webhooks signed by the SDK's own
// test-header helper.

const SECRET = 'whsec_test_secret_0123456789'
const SHIPPING = 700

let double: StripeDouble
let server: TestServer
let api: Api
let admin: Account
let buyer: Account
let item: Doc

type CardOrder = OrderView & {
  amountRefunded?: number
  payment?: {
    stripeSessionId?: string | null
    stripePaymentIntentId?: string | null
    stripeRefundId?: string | null
    issue?: string | null
    note?: string | null
  }
}
type CheckoutAnswer = { order: CardOrder; checkoutUrl?: string } & Errors

beforeAll(async () => {
  double = await new StripeDouble().start()
  server = await startTestServer({
    ...double.storeEnv(SECRET),
    SHIPPING_FLAT_FEE: String(SHIPPING),
    STRIPE_SWEEP_AFTER_S: '60',
    STRIPE_SWEEP_INTERVAL_S: '1',
  })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[buyer] = (await customersViaLocalApi(server.payload, api, 1, 'card')) as [Account]
})

afterAll(async () => {
  await server?.stop()
  await double?.stop()
})

beforeEach(async () => {
  item = await create(api, admin.token, 'products', product({ title: 'Card item', price: 2500, stock: 10 }))
})

const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id })).stock
const orderOf = (id: number | string) =>
  server.payload.findByID({ collection: 'orders', id, depth: 0 }) as Promise<unknown> as Promise<CardOrder>

async function cardCheckout(quantity = 2, headers: Record<string, string> = {}) {
  await addToCart(api, buyer.token, item.id, quantity)
  return api<CheckoutAnswer>('/api/checkout', {
    token: buyer.token,
    headers,
    json: { paymentMethod: 'card', shippingAddress: ADDRESS },
  })
}

async function deliver(
  type: string,
  object: unknown,
  options: { id?: string; timestamp?: number; secret?: string } = {},
) {
  const event = double.event(type, object, { id: options.id })
  const { body, signature } = double.signedPayload(event, options.secret ?? SECRET, {
    timestamp: options.timestamp,
  })
  const res = await api<{ outcome?: string } & Errors>('/api/stripe/webhook', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
  })
  return { ...res, event }
}

describe('card checkout', () => {
  it('creates the order, then a Checkout Session whose total is the order total, and answers the URL', async () => {
    const res = await cardCheckout(2)
    expect(res.status).toBe(201)
    const order = res.body.order
    expect(order).toMatchObject({
      paymentMethod: 'card',
      paymentStatus: 'unpaid',
      status: 'pending',
      total: 5000 + SHIPPING,
    })
    expect(await stockOf(item.id)).toBe(8)
    const sessionId = order.payment?.stripeSessionId ?? ''
    const session = double.session(sessionId)
    expect(res.body.checkoutUrl).toBe(session?.url)
    expect(session).toMatchObject({
      amount_total: order.total,
      currency: 'usd',
      customer_email: buyer.email,
      metadata: { orderId: String(order.id) },
      status: 'open',
    })
    expect(session?.success_url).toMatch(new RegExp(`^${STOREFRONT}/checkout/success`))
    expect(session?.cancel_url).toMatch(new RegExp(`^${STOREFRONT}/checkout/cancel`))
    const lifetime = (session?.expires_at ?? 0) - Math.floor(Date.now() / 1000)
    expect(lifetime).toBeGreaterThan(29 * 60)
    expect(lifetime).toBeLessThanOrEqual(30 * 60)
    const creation = double.callsTo('/v1/checkout/sessions', 'POST')
    expect(creation.at(-1)?.idempotencyKey).toBe(`order-${order.id}-session`)
  })

  it('represents a discount faithfully', async () => {
    const coupon = await create(api, admin.token, 'coupons', {
      code: `CARD${Date.now()}`,
      type: 'percent',
      value: 15,
      active: true,
    })
    await addToCart(api, buyer.token, item.id, 3)
    await api('/api/carts/mine/coupon', { token: buyer.token, json: { code: coupon.code } })
    const res = await api<CheckoutAnswer>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'card', shippingAddress: ADDRESS },
    })
    expect(res.status).toBe(201)
    // 3 × 2500 = 7500, 15 % = 1125, + shipping
    expect(res.body.order).toMatchObject({ subtotal: 7500, discount: 1125, total: 7500 - 1125 + SHIPPING })
    expect(double.session(res.body.order.payment?.stripeSessionId ?? '')?.amount_total).toBe(
      res.body.order.total,
    )
  })

  it('a Stripe error leaves no order holding stock', async () => {
    // The SDK tries three times (two retries): all of them fail.
    double.failNext('/v1/checkout/sessions', 500, { type: 'api_error', message: 'boom' }, { times: 3 })
    const before = await server.payload.count({
      collection: 'orders',
      where: { status: { not_equals: 'cancelled' } },
    })
    const res = await cardCheckout(1)
    expect(res.status).toBe(502)
    expect(await stockOf(item.id)).toBe(10)
    const after = await server.payload.count({
      collection: 'orders',
      where: { status: { not_equals: 'cancelled' } },
    })
    expect(after.totalDocs).toBe(before.totalDocs)
    await api('/api/carts/mine', { method: 'DELETE', token: buyer.token })
  })

  it('retries with one Idempotency-Key create one order and one session', async () => {
    const key = `card-${Date.now()}`
    await addToCart(api, buyer.token, item.id, 1)
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        api<CheckoutAnswer>('/api/checkout', {
          token: buyer.token,
          headers: { 'Idempotency-Key': key },
          json: { paymentMethod: 'card', shippingAddress: ADDRESS },
        }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(201))
    expect(new Set(answers.map((answer) => answer.body.checkoutUrl)).size).toBe(1)
    const orderId = answers[0]?.body.order.id
    const created = double
      .callsTo('/v1/checkout/sessions', 'POST')
      .filter((call) => call.idempotencyKey === `order-${orderId}-session` && call.status === 200)
    expect(created).toHaveLength(1)
  })
})

describe('webhook', () => {
  it('refuses bad, missing and old signatures and changes nothing', async () => {
    const res = await cardCheckout(1)
    const session = double.complete(res.body.order.payment?.stripeSessionId ?? '')
    expect((await deliver('checkout.session.completed', session, { secret: 'whsec_wrong' })).status).toBe(400)
    expect(
      (
        await deliver('checkout.session.completed', session, {
          timestamp: Math.floor(Date.now() / 1000) - 600,
        })
      ).status,
    ).toBe(400)
    const unsigned = await api('/api/stripe/webhook', {
      method: 'POST',
      json: double.event('checkout.session.completed', session),
    })
    expect(unsigned.status).toBe(400)
    const tampered = double.signedPayload(double.event('checkout.session.completed', session), SECRET)
    const forged = await api('/api/stripe/webhook', {
      method: 'POST',
      body: tampered.body.replace(String(session.amount_total), '1'),
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': tampered.signature },
    })
    expect(forged.status).toBe(400)
    expect((await orderOf(res.body.order.id)).paymentStatus).toBe('unpaid')
  })

  it('a correctly signed but malformed event answers 400 and changes nothing', async () => {
    const res = await cardCheckout(1)
    const orderId = res.body.order.id
    // Found by test/fuzz-endpoints.test.ts: `data` that is not an object answered 500.
    const malformed: unknown[] = [
      { id: 'evt_malformed_1', object: 'event', type: 'charge.refunded', data: 2 },
      { id: 'evt_malformed_2', object: 'event', type: 'checkout.session.completed', data: { object: null } },
      {
        id: 'evt_malformed_3',
        object: 'event',
        type: 'checkout.session.expired',
        data: { object: { id: 7, metadata: { orderId: String(orderId) } } },
      },
      { id: 12, object: 'event', type: 'checkout.session.expired', data: { object: {} } },
    ]
    for (const event of malformed) {
      const { body, signature } = double.signedPayload(event, SECRET)
      const answer = await api<Errors>('/api/stripe/webhook', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
      })
      expect(answer.status).toBe(400)
      expect(answer.body.errors[0]?.message).toMatch(/Malformed Stripe event/)
    }
    expect(await orderOf(orderId)).toMatchObject({ paymentStatus: 'unpaid', status: 'pending' })
  })

  it("a guest pays by card with their email; the webhook pays the order; the guest's token cancels and refunds it", async () => {
    const made = await api<{ cartToken: string }>('/api/carts/guest', { method: 'POST' })
    const headers = { 'X-Cart-Token': made.body.cartToken }
    await api('/api/carts/mine/items', { headers, json: { product: item.id, quantity: 2 } })
    const res = await api<CheckoutAnswer & { orderToken: string }>('/api/checkout', {
      headers,
      json: { paymentMethod: 'card', shippingAddress: ADDRESS, email: 'Card.Guest@Example.test' },
    })
    expect(res.status).toBe(201)
    expect(res.body.order).toMatchObject({
      customer: null,
      email: 'card.guest@example.test',
      paymentStatus: 'unpaid',
    })
    const session = double.session(res.body.order.payment?.stripeSessionId ?? '')
    expect(res.body.checkoutUrl).toBe(session?.url)
    expect(session).toMatchObject({
      amount_total: res.body.order.total,
      customer_email: 'card.guest@example.test',
    })
    const paid = await deliver('checkout.session.completed', double.complete(session?.id ?? ''))
    expect(paid.body.outcome).toBe('applied')
    const byToken = { 'X-Order-Token': res.body.orderToken }
    const read = await api<CardOrder>(`/api/orders/${res.body.order.id}`, { headers: byToken })
    expect(read.body).toMatchObject({ paymentStatus: 'paid', status: 'processing' })
    const cancelled = await api(`/api/orders/${res.body.order.id}/cancel`, {
      method: 'POST',
      headers: byToken,
    })
    expect(cancelled.status).toBe(200)
    expect(await orderOf(res.body.order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
    expect(await stockOf(item.id)).toBe(10)
  })

  it('checkout.session.completed marks the order paid and processing, once', async () => {
    const res = await cardCheckout(1)
    const session = double.complete(res.body.order.payment?.stripeSessionId ?? '')
    const first = await deliver('checkout.session.completed', session)
    expect(first.status).toBe(200)
    expect(first.body.outcome).toBe('applied')
    const order = await orderOf(res.body.order.id)
    expect(order).toMatchObject({ paymentStatus: 'paid', status: 'processing' })
    expect(order.payment?.stripePaymentIntentId).toBe(session.payment_intent)
    expect(order.statusHistory.map((entry) => entry.to)).toEqual(['pending', 'processing'])

    const again = await deliver('checkout.session.completed', session, { id: first.event.id })
    expect(again.status).toBe(200)
    expect(again.body.outcome).toBe('duplicate')
    expect((await orderOf(res.body.order.id)).statusHistory).toHaveLength(2)
  })

  it('the same event delivered concurrently applies once', async () => {
    const res = await cardCheckout(1)
    const session = double.complete(res.body.order.payment?.stripeSessionId ?? '')
    const event = double.event('checkout.session.completed', session)
    const { body, signature } = double.signedPayload(event, SECRET)
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        api<{ outcome: string }>('/api/stripe/webhook', {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature },
        }),
      ),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(answers.filter((answer) => answer.body.outcome === 'applied')).toHaveLength(1)
    const order = await orderOf(res.body.order.id)
    expect(order.statusHistory.map((entry) => entry.to)).toEqual(['pending', 'processing'])
  })

  it('events out of order never move an order backwards', async () => {
    const res = await cardCheckout(1)
    const sessionId = res.body.order.payment?.stripeSessionId ?? ''
    const session = double.complete(sessionId)
    await deliver('checkout.session.completed', session)
    // A stale "expired" (or a failed async payment) arriving after the payment changes nothing.
    expect((await deliver('checkout.session.expired', { ...session, status: 'expired' })).status).toBe(200)
    expect((await deliver('checkout.session.async_payment_failed', session)).status).toBe(200)
    const order = await orderOf(res.body.order.id)
    expect(order).toMatchObject({ paymentStatus: 'paid', status: 'processing' })
    expect(await stockOf(item.id)).toBe(9)
  })

  it('an expired session fails and cancels the order and returns the stock', async () => {
    const res = await cardCheckout(3)
    expect(await stockOf(item.id)).toBe(7)
    const session = double.expire(res.body.order.payment?.stripeSessionId ?? '')
    expect((await deliver('checkout.session.expired', session)).body.outcome).toBe('applied')
    expect(await orderOf(res.body.order.id)).toMatchObject({ paymentStatus: 'failed', status: 'cancelled' })
    expect(await stockOf(item.id)).toBe(10)
    // A late "completed" for the same session cannot restock twice or un-cancel.
    await deliver('checkout.session.expired', session)
    expect(await stockOf(item.id)).toBe(10)
  })

  it('an amount mismatch is logged and flagged, and the order is not paid', async () => {
    const res = await cardCheckout(1)
    const session = double.complete(res.body.order.payment?.stripeSessionId ?? '')
    await deliver('checkout.session.completed', { ...session, amount_total: session.amount_total - 1 })
    const order = await orderOf(res.body.order.id)
    expect(order.paymentStatus).toBe('unpaid')
    expect(order.payment?.issue).toMatch(/not marked paid/)
    await deliver('checkout.session.completed', { ...session, currency: 'eur' })
    expect((await orderOf(res.body.order.id)).paymentStatus).toBe('unpaid')
  })

  it('async payments: completed unpaid waits, async_payment_succeeded pays', async () => {
    const res = await cardCheckout(1)
    const sessionId = res.body.order.payment?.stripeSessionId ?? ''
    const pending = double.complete(sessionId, { paid: false })
    expect((await deliver('checkout.session.completed', pending)).body.outcome).toBe('ignored')
    expect((await orderOf(res.body.order.id)).paymentStatus).toBe('unpaid')
    const settled = double.settle(sessionId)
    expect((await deliver('checkout.session.async_payment_succeeded', settled)).body.outcome).toBe('applied')
    expect((await orderOf(res.body.order.id)).paymentStatus).toBe('paid')
  })

  it('unknown event types answer 200 and are ignored', async () => {
    const res = await deliver('customer.created', { id: 'cus_123', object: 'customer' })
    expect(res.status).toBe(200)
    expect(res.body.outcome).toBe('ignored')
  })
})

/** Someone refunding in the Stripe dashboard. */
const dashboard = () =>
  new Stripe('sk_test_dashboard', { ...double.clientOptions(), maxNetworkRetries: 0, telemetry: false })

async function paidOrder(quantity: number): Promise<CardOrder> {
  const res = await cardCheckout(quantity)
  const session = double.complete(res.body.order.payment?.stripeSessionId ?? '')
  await deliver('checkout.session.completed', session)
  return orderOf(res.body.order.id)
}

const chargeOf = (order: CardOrder) =>
  double.charge(double.paymentIntent(order.payment?.stripePaymentIntentId ?? '')?.latest_charge ?? '')!

describe('refunds', () => {
  it('cancelling a paid card order refunds it through Stripe, once, and ends refunded', async () => {
    const order = await paidOrder(2)
    expect(await stockOf(item.id)).toBe(8)
    const res = await api<{ order: CardOrder }>(`/api/orders/${order.id}/cancel`, {
      method: 'POST',
      token: buyer.token,
    })
    expect(res.status).toBe(200)
    const after = await orderOf(order.id)
    expect(after).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
    expect(await stockOf(item.id)).toBe(10)
    const refunds = double
      .refunds()
      .filter((refund) => refund.payment_intent === order.payment?.stripePaymentIntentId)
    expect(refunds).toHaveLength(1)
    expect(refunds[0]?.amount).toBe(order.total)
    expect(double.callsTo('/v1/refunds', 'POST').at(-1)?.idempotencyKey).toBe(`order-${order.id}-refund`)
    // Stripe then reports the refund it made: nothing more happens.
    const charge = double.charge(
      double.paymentIntent(order.payment?.stripePaymentIntentId ?? '')?.latest_charge ?? '',
    )
    expect((await deliver('charge.refunded', charge)).status).toBe(200)
    expect(await stockOf(item.id)).toBe(10)
  })

  it('a refund made in the Stripe dashboard ends refunded and returns stock if not shipped', async () => {
    const order = await paidOrder(1)
    await dashboard().refunds.create({ payment_intent: order.payment?.stripePaymentIntentId ?? '' })
    const charge = double.charge(
      double.paymentIntent(order.payment?.stripePaymentIntentId ?? '')?.latest_charge ?? '',
    )
    expect((await deliver('charge.refunded', charge)).body.outcome).toBe('applied')
    expect(await orderOf(order.id)).toMatchObject({ paymentStatus: 'refunded', status: 'cancelled' })
    expect(await stockOf(item.id)).toBe(10)
  })

  it('a dashboard refund of a shipped order keeps it shipped and the stock out', async () => {
    const order = await paidOrder(1)
    await api(`/api/orders/${order.id}`, { method: 'PATCH', token: admin.token, json: { status: 'shipped' } })
    await dashboard().refunds.create({ payment_intent: order.payment?.stripePaymentIntentId ?? '' })
    const charge = double.charge(
      double.paymentIntent(order.payment?.stripePaymentIntentId ?? '')?.latest_charge ?? '',
    )
    await deliver('charge.refunded', charge)
    expect(await orderOf(order.id)).toMatchObject({ paymentStatus: 'refunded', status: 'shipped' })
    expect(await stockOf(item.id)).toBe(9)
  })
})

describe('partial refunds (issue 13, item 3)', () => {
  it('are recorded as the amount refunded and change nothing else, until they add up to the total', async () => {
    const order = await paidOrder(2)
    expect(await stockOf(item.id)).toBe(8)
    const intent = order.payment?.stripePaymentIntentId ?? ''

    await dashboard().refunds.create({ payment_intent: intent, amount: 1000 })
    const first = chargeOf(order)
    const delivered = await deliver('charge.refunded', first)
    expect(delivered.body.outcome).toBe('applied')
    expect(await orderOf(order.id)).toMatchObject({
      status: 'processing',
      paymentStatus: 'paid',
      amountRefunded: 1000,
    })
    expect(await stockOf(item.id)).toBe(8)
    // Owner and admin both read it.
    const owner = await api<CardOrder>(`/api/orders/${order.id}`, { token: buyer.token })
    expect(owner.body.amountRefunded).toBe(1000)
    expect(
      (await api<CardOrder>(`/api/orders/${order.id}`, { token: admin.token })).body.amountRefunded,
    ).toBe(1000)

    // The same event again, and the same charge in another event: counted once.
    expect((await deliver('charge.refunded', first, { id: delivered.event.id })).body.outcome).toBe(
      'duplicate',
    )
    await deliver('charge.refunded', first)
    expect((await orderOf(order.id)).amountRefunded).toBe(1000)

    await dashboard().refunds.create({ payment_intent: intent, amount: 2000 })
    await deliver('charge.refunded', chargeOf(order))
    // An older event arriving late does not lower it.
    await deliver('charge.refunded', first)
    expect(await orderOf(order.id)).toMatchObject({ paymentStatus: 'paid', amountRefunded: 3000 })
    expect(await stockOf(item.id)).toBe(8)

    // The rest: now it is a full refund, and the order ends as a full refund always did.
    await dashboard().refunds.create({ payment_intent: intent })
    await deliver('charge.refunded', chargeOf(order))
    expect(await orderOf(order.id)).toMatchObject({
      status: 'cancelled',
      paymentStatus: 'refunded',
      amountRefunded: order.total,
    })
    expect(await stockOf(item.id)).toBe(10)
  })

  it('a full refund delivered before an earlier partial one stays a full refund', async () => {
    const order = await paidOrder(1)
    const intent = order.payment?.stripePaymentIntentId ?? ''
    await dashboard().refunds.create({ payment_intent: intent, amount: 500 })
    const partial = chargeOf(order)
    await dashboard().refunds.create({ payment_intent: intent })
    await deliver('charge.refunded', chargeOf(order))
    await deliver('charge.refunded', partial)
    expect(await orderOf(order.id)).toMatchObject({
      status: 'cancelled',
      paymentStatus: 'refunded',
      amountRefunded: order.total,
    })
    expect(await stockOf(item.id)).toBe(10)
  })
})

describe('cancelled but paid (issue 13, item 4)', () => {
  it('cancelling an unpaid card order expires its Checkout Session, for the owner and for an admin', async () => {
    for (const how of ['owner', 'admin'] as const) {
      const placed = (await cardCheckout(2)).body.order
      const sessionId = placed.payment?.stripeSessionId ?? ''
      const res =
        how === 'owner'
          ? await api(`/api/orders/${placed.id}/cancel`, { method: 'POST', token: buyer.token })
          : await api(`/api/orders/${placed.id}`, {
              method: 'PATCH',
              token: admin.token,
              json: { status: 'cancelled' },
            })
      expect(res.status).toBe(200)
      expect(double.session(sessionId)?.status).toBe('expired')
      expect(double.callsTo(`/v1/checkout/sessions/${sessionId}/expire`, 'POST')).toHaveLength(1)
      expect(await stockOf(item.id)).toBe(10)
      // Stripe then reports the expiry: the payment fails, nothing else moves.
      await deliver('checkout.session.expired', double.session(sessionId))
      expect(await orderOf(placed.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'failed' })
      expect(await stockOf(item.id)).toBe(10)
    }
  })

  it('a payment that still arrives for a cancelled order is refunded once, recorded, and never revives it', async () => {
    const placed = (await cardCheckout(2)).body.order
    const sessionId = placed.payment?.stripeSessionId ?? ''
    // The customer pays just before the cancellation: the expiry loses the race.
    const session = double.complete(sessionId)
    expect(
      (await api(`/api/orders/${placed.id}/cancel`, { method: 'POST', token: buyer.token })).status,
    ).toBe(200)
    expect(double.session(sessionId)?.status).toBe('complete')
    expect(await stockOf(item.id)).toBe(10)

    const first = await deliver('checkout.session.completed', session)
    expect(first.status).toBe(200)
    await deliver('checkout.session.completed', session, { id: first.event.id })
    await deliver('checkout.session.completed', session)
    const { sweepUnpaidCardOrders } = await import('../src/payments/sweep')
    await sweepUnpaidCardOrders(server.payload, Date.now() + 3_600_000)
    // Give the sweep lease back for the other tests.
    await server.payload.delete({ collection: 'counters', where: { name: { equals: 'stripe-sweep' } } })

    const after = await orderOf(placed.id)
    expect(after).toMatchObject({
      status: 'cancelled',
      paymentStatus: 'refunded',
      amountRefunded: placed.total,
      payment: {
        stripePaymentIntentId: session.payment_intent,
        note: expect.stringMatching(/refunded automatically/),
      },
    })
    expect(after.statusHistory.map((entry) => entry.to)).toEqual(['pending', 'cancelled'])
    const refunds = double.refunds().filter((refund) => refund.payment_intent === session.payment_intent)
    expect(refunds).toHaveLength(1)
    expect(refunds[0]?.amount).toBe(placed.total)
    expect(after.payment?.stripeRefundId).toBe(refunds[0]?.id)
    expect(await stockOf(item.id)).toBe(10)
    // Admins see the record; the customer sees the refunded amount.
    const seenByAdmin = await api<CardOrder>(`/api/orders/${placed.id}`, { token: admin.token })
    expect(seenByAdmin.body.payment?.note).toMatch(/refunded automatically/)
    expect(seenByAdmin.body.payment?.stripeRefundId).toBe(refunds[0]?.id)
    const seenByOwner = await api<CardOrder>(`/api/orders/${placed.id}`, { token: buyer.token })
    expect(seenByOwner.body).toMatchObject({ paymentStatus: 'refunded', amountRefunded: placed.total })
  })

  it('a refund Stripe refuses is retried with the next delivery, and made once', async () => {
    const placed = (await cardCheckout(1)).body.order
    const session = double.complete(placed.payment?.stripeSessionId ?? '')
    await api(`/api/orders/${placed.id}/cancel`, { method: 'POST', token: buyer.token })
    double.failNext('/v1/refunds', 500, { message: 'boom' }, { times: 3 })
    const failed = await deliver('checkout.session.completed', session)
    expect(failed.status).toBe(500)
    const retried = await deliver('checkout.session.completed', session, { id: failed.event.id })
    expect(retried.status).toBe(200)
    expect(await orderOf(placed.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
    expect(
      double.refunds().filter((refund) => refund.payment_intent === session.payment_intent),
    ).toHaveLength(1)
    expect(await stockOf(item.id)).toBe(10)
  })
})

describe('which order an event settles (issue 13, item 5)', () => {
  it('a session is matched by its stored id, never by the order its metadata names', async () => {
    const a = (await cardCheckout(1)).body.order
    const b = (await cardCheckout(1)).body.order
    await addToCart(api, buyer.token, item.id, 1)
    const cod = (
      await api<{ order: CardOrder }>('/api/checkout', {
        token: buyer.token,
        json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
      })
    ).body.order
    expect(a.total).toBe(b.total)
    const sessionOfA = double.complete(a.payment?.stripeSessionId ?? '')
    for (const named of [b, cod]) {
      const res = await deliver('checkout.session.completed', {
        ...sessionOfA,
        metadata: { ...sessionOfA.metadata, orderId: String(named.id) },
      })
      expect(res.status).toBe(200)
      expect(await orderOf(named.id)).toMatchObject({ paymentStatus: 'unpaid', status: 'pending' })
    }
    expect(await orderOf(a.id)).toMatchObject({ paymentStatus: 'paid', status: 'processing' })
  })

  it('an event for no order of this store answers 200 and changes nothing', async () => {
    const placed = (await cardCheckout(1)).body.order
    const session = double.complete(placed.payment?.stripeSessionId ?? '')
    const strangers = [
      // An order id that does not exist (this answered 500, so Stripe retried it for days).
      { ...session, id: 'cs_test_not_ours', metadata: { orderId: '999999' } },
      // A session that is not this order's, naming it.
      { ...session, id: 'cs_test_not_ours_either' },
    ]
    for (const stranger of strangers) {
      for (const type of ['checkout.session.completed', 'checkout.session.expired']) {
        const res = await deliver(type, stranger)
        expect(res.status).toBe(200)
        expect(res.body.outcome).toBe('no-order')
      }
    }
    const charge = double.charge(double.paymentIntent(session.payment_intent ?? '')?.latest_charge ?? '')
    const refund = await deliver('charge.refunded', { ...charge, payment_intent: 'pi_not_ours' })
    expect(res200(refund)).toBe('no-order')
    expect(await orderOf(placed.id)).toMatchObject({ paymentStatus: 'unpaid', status: 'pending' })
    expect(await stockOf(item.id)).toBe(9)
  })
})

const res200 = (res: { status: number; body: { outcome?: string } }) => {
  expect(res.status).toBe(200)
  return res.body.outcome
}

describe('lost webhooks', () => {
  it('the sweep settles paid and expired sessions exactly as their webhooks would, once', async () => {
    const { sweepUnpaidCardOrders } = await import('../src/payments/sweep')
    const paid = (await cardCheckout(1)).body.order
    const expired = (await cardCheckout(2)).body.order
    const open = (await cardCheckout(1)).body.order
    double.complete(paid.payment?.stripeSessionId ?? '')
    double.expire(expired.payment?.stripeSessionId ?? '')
    expect(await stockOf(item.id)).toBe(6)

    // Not yet due: STRIPE_SWEEP_AFTER_S has not passed.
    const early = await sweepUnpaidCardOrders(server.payload)
    expect(early.settled).toBe(0)

    const later = Date.now() + 120_000
    const result = await sweepUnpaidCardOrders(server.payload, later)
    expect(result.settled).toBeGreaterThanOrEqual(2)
    expect(await orderOf(paid.id)).toMatchObject({ paymentStatus: 'paid', status: 'processing' })
    expect(await orderOf(expired.id)).toMatchObject({ paymentStatus: 'failed', status: 'cancelled' })
    expect((await orderOf(open.id)).paymentStatus).toBe('unpaid')
    expect(await stockOf(item.id)).toBe(8)

    // The webhook that finally arrives changes nothing; a second sweep (after the lease) neither.
    const session = double.session(paid.payment?.stripeSessionId ?? '')
    expect((await deliver('checkout.session.completed', session)).body.outcome).toBe('applied')
    expect((await orderOf(paid.id)).statusHistory.map((entry) => entry.to)).toEqual(['pending', 'processing'])
    expect((await sweepUnpaidCardOrders(server.payload, later + 1)).skipped).toBe('lease')
    expect(await stockOf(item.id)).toBe(8)
  })
})
