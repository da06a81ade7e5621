import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import Stripe from 'stripe'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import type { Api } from './helpers/http'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import type { CheckoutSession } from './helpers/stripeDouble'
import { customersViaLocalApi } from './helpers/users'
import type { Account } from './helpers/users'

// Issue 13, items 3 and 4 under concurrency: real parallel HTTP, split across two server
// processes on one database (and one Stripe double).

const SECRET = 'whsec_test_secret_0123456789'

let double: StripeDouble
let stores: StorePair | undefined
let server: TestServer
let api: Api
let admin: Account
let instance: StorePair['apiFor']
let buyers: Account[]

type CardOrder = OrderView & {
  amountRefunded?: number
  payment?: { stripeSessionId?: string | null; stripePaymentIntentId?: string | null }
}

beforeAll(async () => {
  double = await new StripeDouble().start()
  stores = await startStorePair(double.storeEnv(SECRET))
  ;({ server, api, admin, apiFor: instance } = stores)
  buyers = await customersViaLocalApi(server.payload, api, 4, 'race')
}, 120_000)

afterAll(async () => {
  await stores?.stop()
  await double?.stop()
})
const orderOf = (id: number | string) =>
  server.payload.findByID({ collection: 'orders', id, depth: 0 }) as Promise<unknown> as Promise<CardOrder>
const stockOf = async (id: number | string): Promise<number> =>
  (await server.payload.findByID({ collection: 'products', id })).stock
const refundsOf = (paymentIntent: string | null | undefined) =>
  double.refunds().filter((refund) => refund.payment_intent === paymentIntent)

async function cardOrder(buyer: Account, item: Doc): Promise<CardOrder> {
  expect((await addToCart(api, buyer.token, item.id, 1)).status).toBe(200)
  const res = await api<{ order: CardOrder }>('/api/checkout', {
    token: buyer.token,
    json: { paymentMethod: 'card', shippingAddress: ADDRESS },
  })
  expect(res.status).toBe(201)
  return res.body.order
}

function signed(type: string, object: unknown, id?: string) {
  return double.signedPayload(double.event(type, object, { id }), SECRET)
}

function post(target: Api, payload: { body: string; signature: string }) {
  return target<{ outcome?: string }>('/api/stripe/webhook', {
    method: 'POST',
    body: payload.body,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': payload.signature },
  })
}

describe('webhook deliveries in parallel, across two instances', () => {
  it('a payment for a cancelled order, delivered 5× at once (and as 5 events), is refunded once', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 10 }))
    const order = await cardOrder(buyers[0]!, item)
    const session = double.complete(order.payment?.stripeSessionId ?? '')
    expect(
      (await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyers[0]!.token })).status,
    ).toBe(200)
    const same = signed('checkout.session.completed', session)
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => post(instance(i), same)))
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200))
    expect(answers.filter((answer) => answer.body.outcome === 'applied')).toHaveLength(1)
    // Distinct events about the same payment (a Stripe retry with a new id, the sweep's).
    const distinct = await Promise.all(
      Array.from({ length: 5 }, (_, i) => post(instance(i), signed('checkout.session.completed', session))),
    )
    expect(distinct.map((answer) => answer.status)).toEqual(Array(5).fill(200))

    expect(await orderOf(order.id)).toMatchObject({
      status: 'cancelled',
      paymentStatus: 'refunded',
      amountRefunded: order.total,
    })
    expect(refundsOf(session.payment_intent)).toHaveLength(1)
    expect(await stockOf(item.id)).toBe(10)
  }, 60_000)

  it('a partial refund delivered 5× at once is counted once', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 4000, stock: 10 }))
    const placed = await cardOrder(buyers[1]!, item)
    const session = double.complete(placed.payment?.stripeSessionId ?? '')
    expect((await post(api, signed('checkout.session.completed', session))).body.outcome).toBe('applied')
    const dashboard = new Stripe('sk_test_dashboard', { ...double.clientOptions(), maxNetworkRetries: 0 })
    await dashboard.refunds.create({ payment_intent: session.payment_intent ?? '', amount: 1500 })
    const charge = double.charge(double.paymentIntent(session.payment_intent ?? '')?.latest_charge ?? '')
    const same = signed('charge.refunded', charge)
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => post(instance(i), same)))
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200))
    expect(answers.filter((answer) => answer.body.outcome === 'applied')).toHaveLength(1)
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => post(instance(i), signed('charge.refunded', charge))),
    )
    expect(await orderOf(placed.id)).toMatchObject({
      status: 'processing',
      paymentStatus: 'paid',
      amountRefunded: 1500,
    })
    expect(await stockOf(item.id)).toBe(9)
  }, 60_000)
})

describe('a cancellation racing the payment', () => {
  it('ends cancelled and refunded once, whichever comes first; never cancelled, paid and not refunded', async () => {
    const item = await create(api, admin.token, 'products', product({ stock: 20 }))
    const rounds = 6
    for (let round = 0; round < rounds; round++) {
      const buyer = buyers[round % buyers.length]!
      const order = await cardOrder(buyer, item)
      // The customer has paid; the webhook and the cancellation arrive together, on either instance.
      const session: CheckoutSession = double.complete(order.payment?.stripeSessionId ?? '')
      const [cancelled, paid] = await Promise.all([
        instance(round)(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer.token }),
        post(instance(round + 1), signed('checkout.session.completed', session)),
      ])
      expect(paid.status).toBe(200)
      // A 409 means the payment moved the order first: the customer cancels again, as a client would.
      if (cancelled.status === 409) {
        expect(
          (await api(`/api/orders/${order.id}/cancel`, { method: 'POST', token: buyer.token })).status,
        ).toBe(200)
      } else {
        expect(cancelled.status).toBe(200)
      }
      const after = await orderOf(order.id)
      expect({
        status: after.status,
        paymentStatus: after.paymentStatus,
        amountRefunded: after.amountRefunded,
        refunds: refundsOf(session.payment_intent).length,
      }).toEqual({
        status: 'cancelled',
        paymentStatus: 'refunded',
        amountRefunded: order.total,
        refunds: 1,
        // On failure, how the round went:
        ...(after.paymentStatus === 'refunded'
          ? {}
          : { cancel: cancelled.status, webhook: paid.body.outcome }),
      })
    }
    // Every unit came back exactly once.
    expect(await stockOf(item.id)).toBe(20)
  }, 120_000)
})
