/**
 * Self-test of the Stripe test double: everything here goes through the REAL `stripe` SDK over HTTP,
 * so it also pins down what the SDK puts on the wire (form encoding, headers, error mapping).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import Stripe from 'stripe'

import { StripeDouble } from './helpers/stripeDouble'

const WEBHOOK_SECRET = 'whsec_test_double_secret'

let double: StripeDouble
let stripe: Stripe

function client(key = 'sk_test_123', maxNetworkRetries = 0): Stripe {
  return new Stripe(key, { ...double.clientOptions(), maxNetworkRetries, telemetry: false })
}

async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error
    throw error
  }
  throw new Error('expected the Stripe call to fail')
}

function sessionParams(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return {
    mode: 'payment',
    line_items: [
      {
        quantity: 2,
        price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Mug' } },
      },
      {
        quantity: 1,
        price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Shipping' } },
      },
    ],
    success_url: 'https://shop.test/checkout/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.test/checkout/cancel',
    customer_email: 'alice@example.test',
    client_reference_id: 'order_42',
    metadata: { orderId: '42', cartId: 'cart_7' },
    ...overrides,
  } satisfies Stripe.Checkout.SessionCreateParams
}

beforeAll(async () => {
  double = await new StripeDouble().start()
  stripe = client()
})

afterAll(async () => {
  await double.stop()
})

beforeEach(() => {
  double.reset()
})

describe('StripeDouble: checkout sessions', () => {
  it('creates a session from inline line items and computes the amounts', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600
    const session = await stripe.checkout.sessions.create(sessionParams({ expires_at: expiresAt }))

    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/)
    expect(session).toMatchObject({
      object: 'checkout.session',
      url: `https://checkout.stripe.test/c/pay/${session.id}`,
      status: 'open',
      payment_status: 'unpaid',
      mode: 'payment',
      amount_subtotal: 3000,
      amount_total: 3000,
      currency: 'usd',
      customer_email: 'alice@example.test',
      client_reference_id: 'order_42',
      success_url: 'https://shop.test/checkout/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.test/checkout/cancel',
      expires_at: expiresAt,
      payment_intent: null,
      livemode: false,
    })
    expect(typeof session.created).toBe('number')
    expect(session.lastResponse.statusCode).toBe(200)
    expect(session.lastResponse.requestId).toMatch(/^req_/)

    // What the SDK put on the wire.
    const [call] = double.callsTo('/v1/checkout/sessions', 'POST')
    expect(call).toBeDefined()
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(call?.headers.authorization).toBe('Bearer sk_test_123')
    expect(call?.headers['stripe-version']).toBe(Stripe.API_VERSION)
    expect(call?.idempotencyKey).toMatch(/^stripe-node-retry-/) // the SDK keys every POST
    expect(call?.rawBody).toContain('line_items[0][price_data][unit_amount]=1250')
    expect(call?.rawBody).toContain('line_items[0][price_data][product_data][name]=Mug')
    expect(call?.rawBody).toContain('metadata[orderId]=42')
    expect(call?.rawBody).toContain(`expires_at=${expiresAt}`)
    expect(call?.body).toMatchObject({
      mode: 'payment',
      line_items: [
        {
          quantity: '2',
          price_data: { currency: 'usd', unit_amount: '1250', product_data: { name: 'Mug' } },
        },
        { quantity: '1', price_data: { unit_amount: '500' } },
      ],
      metadata: { orderId: '42' },
    })
  })

  it('round-trips metadata (values come back as strings)', async () => {
    const created = await stripe.checkout.sessions.create(
      sessionParams({ metadata: { orderId: 42, note: 'ünïcødé & = [x]', empty: '' } }),
    )
    expect(created.metadata).toEqual({ orderId: '42', note: 'ünïcødé & = [x]' })
    const fetched = await stripe.checkout.sessions.retrieve(created.id)
    expect(fetched.metadata).toEqual({ orderId: '42', note: 'ünïcødé & = [x]' })
    expect(double.session(created.id)?.metadata).toEqual({ orderId: '42', note: 'ünïcødé & = [x]' })
  })

  it('applies a coupon discount', async () => {
    const coupon = await stripe.coupons.create({ amount_off: 700, currency: 'usd', duration: 'once' })
    const session = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: coupon.id }] }),
    )
    expect(session.amount_subtotal).toBe(3000)
    expect(session.amount_total).toBe(2300)
    expect(session.total_details?.amount_discount).toBe(700)

    const percent = await stripe.coupons.create({ percent_off: 10 })
    const tenOff = await stripe.checkout.sessions.create(
      sessionParams({ discounts: [{ coupon: percent.id }] }),
    )
    expect(tenOff.amount_total).toBe(2700)

    const error = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ discounts: [{ coupon: 'NOPE' }] })),
    )
    expect(error.code).toBe('resource_missing')
    expect(error.param).toBe('discounts[0][coupon]')
  })

  it('replays the same session for a repeated Idempotency-Key and body', async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'order-42-attempt-1',
    })
    const second = await stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: 'order-42-attempt-1',
    })

    expect(second.id).toBe(first.id)
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(double.sessions()).toHaveLength(1)
    const calls = double.callsTo('/v1/checkout/sessions', 'POST')
    expect(calls.map((call) => call.idempotencyKey)).toEqual(['order-42-attempt-1', 'order-42-attempt-1'])
  })

  it('rejects a reused Idempotency-Key with a different body (StripeIdempotencyError)', async () => {
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: 'order-43' })
    const error = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ metadata: { orderId: '44' } }), {
        idempotencyKey: 'order-43',
      }),
    )
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(error.type).toBe('StripeIdempotencyError')
    expect(error.rawType).toBe('idempotency_error')
    expect(error.statusCode).toBe(400)
    expect(error.message).toMatch(/same parameters/)
    expect(double.sessions()).toHaveLength(1)

    const otherEndpoint = await stripeError(
      stripe.coupons.create({ percent_off: 5 }, { idempotencyKey: 'order-43' }),
    )
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
  })

  it('validates parameters like Stripe', async () => {
    const unknown = await stripeError(
      stripe.checkout.sessions.create({
        ...sessionParams(),
        customer_emial: 'typo@example.test',
      } as Stripe.Checkout.SessionCreateParams),
    )
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(unknown.code).toBe('parameter_unknown')
    expect(unknown.param).toBe('customer_emial')

    const soon = await stripeError(
      stripe.checkout.sessions.create(sessionParams({ expires_at: Math.floor(Date.now() / 1000) + 60 })),
    )
    expect(soon.param).toBe('expires_at')

    const noQuantity = await stripeError(
      stripe.checkout.sessions.create(
        sessionParams({
          line_items: [{ price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'x' } } }],
        }),
      ),
    )
    expect(noQuantity.code).toBe('parameter_missing')
    expect(noQuantity.param).toBe('line_items[0][quantity]')

    const tooSmall = await stripeError(
      stripe.checkout.sessions.create(
        sessionParams({
          line_items: [
            { quantity: 1, price_data: { currency: 'usd', unit_amount: 10, product_data: { name: 'x' } } },
          ],
        }),
      ),
    )
    expect(tooSmall.code).toBe('amount_too_small')
    expect(double.sessions()).toHaveLength(0)
  })

  it('retrieves, expires and 404s', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams())
    const fetched = await stripe.checkout.sessions.retrieve(created.id)
    expect(fetched).toMatchObject({ id: created.id, status: 'open', amount_total: 3000 })

    const expired = await stripe.checkout.sessions.expire(created.id)
    expect(expired).toMatchObject({ id: created.id, status: 'expired', url: null })
    expect((await stripe.checkout.sessions.retrieve(created.id)).status).toBe('expired')

    const again = await stripeError(stripe.checkout.sessions.expire(created.id))
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(again.statusCode).toBe(400)

    const missing = await stripeError(stripe.checkout.sessions.retrieve('cs_test_missing'))
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(missing.statusCode).toBe(404)
    expect(missing.code).toBe('resource_missing')

    const other = await stripe.checkout.sessions.create(sessionParams())
    expect(double.expire(other.id).status).toBe('expired')
    expect(() => double.complete(other.id)).toThrow(/expired/)
  })

  it('completes a session with a succeeded payment intent and charge', async () => {
    const created = await stripe.checkout.sessions.create(
      sessionParams({ payment_intent_data: { metadata: { orderId: '42' } } }),
    )
    const completed = double.complete(created.id)
    expect(completed).toMatchObject({ status: 'complete', payment_status: 'paid', url: null })
    expect(completed.payment_intent).toMatch(/^pi_/)
    expect(completed.customer_details?.email).toBe('alice@example.test')

    const session = await stripe.checkout.sessions.retrieve(created.id, {
      expand: ['payment_intent', 'payment_intent.latest_charge', 'line_items'],
    })
    expect(session.status).toBe('complete')
    expect(double.calls.at(-1)?.query).toEqual({
      expand: ['payment_intent', 'payment_intent.latest_charge', 'line_items'],
    })
    const paymentIntent = session.payment_intent as Stripe.PaymentIntent
    expect(paymentIntent).toMatchObject({
      id: completed.payment_intent,
      object: 'payment_intent',
      amount: 3000,
      currency: 'usd',
      status: 'succeeded',
      metadata: { orderId: '42' },
    })
    const charge = paymentIntent.latest_charge as Stripe.Charge
    expect(charge).toMatchObject({ object: 'charge', amount: 3000, paid: true, status: 'succeeded' })
    expect(
      session.line_items?.data.map((item) => [item.description, item.quantity, item.amount_total]),
    ).toEqual([
      ['Mug', 2, 2500],
      ['Shipping', 1, 500],
    ])

    const retrieved = await stripe.paymentIntents.retrieve(paymentIntent.id)
    expect(retrieved).toMatchObject({ status: 'succeeded', latest_charge: charge.id, amount: 3000 })
  })

  it('models async payment methods (paid: false, then settle)', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams())
    const completed = double.complete(created.id, { paid: false })
    expect(completed).toMatchObject({ status: 'complete', payment_status: 'unpaid' })
    const pending = await stripe.paymentIntents.retrieve(completed.payment_intent ?? '')
    expect(pending.status).toBe('processing')

    expect(double.settle(created.id).payment_status).toBe('paid')
    expect((await stripe.paymentIntents.retrieve(pending.id)).status).toBe('succeeded')
  })
})

describe('StripeDouble: refunds', () => {
  it('refunds a payment intent partially, idempotently, then fully', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams())
    const paymentIntent = double.complete(created.id).payment_intent ?? ''

    const partial = await stripe.refunds.create(
      { payment_intent: paymentIntent, amount: 1000, metadata: { orderId: '42' } },
      { idempotencyKey: 'refund-42-1' },
    )
    expect(partial).toMatchObject({
      object: 'refund',
      amount: 1000,
      currency: 'usd',
      payment_intent: paymentIntent,
      status: 'succeeded',
      metadata: { orderId: '42' },
    })
    expect(partial.id).toMatch(/^re_/)

    const replay = await stripe.refunds.create(
      { payment_intent: paymentIntent, amount: 1000, metadata: { orderId: '42' } },
      { idempotencyKey: 'refund-42-1' },
    )
    expect(replay.id).toBe(partial.id)
    expect(double.refunds()).toHaveLength(1)

    const chargeId = double.paymentIntent(paymentIntent)?.latest_charge ?? ''
    expect(double.charge(chargeId)).toMatchObject({ amount_refunded: 1000, refunded: false })

    const tooMuch = await stripeError(stripe.refunds.create({ payment_intent: paymentIntent, amount: 2500 }))
    expect(tooMuch.code).toBe('amount_too_large')

    const rest = await stripe.refunds.create({ payment_intent: paymentIntent })
    expect(rest.amount).toBe(2000)
    expect(double.charge(chargeId)).toMatchObject({ amount_refunded: 3000, refunded: true })
    expect((await stripe.refunds.retrieve(rest.id)).amount).toBe(2000)

    const done = await stripeError(stripe.refunds.create({ payment_intent: paymentIntent }))
    expect(done.code).toBe('charge_already_refunded')

    const unknown = await stripeError(stripe.refunds.create({ payment_intent: 'pi_missing' }))
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(unknown.code).toBe('resource_missing')
  })
})

describe('StripeDouble: failures', () => {
  it('failNext makes the next call fail with a Stripe error of that status', async () => {
    double.failNext('/v1/checkout/sessions', 500)
    const error = await stripeError(stripe.checkout.sessions.create(sessionParams()))
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError)
    expect(error.statusCode).toBe(500)
    expect(error.rawType).toBe('api_error')
    expect(double.sessions()).toHaveLength(0)

    // Only the next call: this one goes through.
    await expect(stripe.checkout.sessions.create(sessionParams())).resolves.toMatchObject({ status: 'open' })

    double.failNext('/v1/refunds', 402, { message: 'Your card was declined.', code: 'card_declined' })
    const declined = await stripeError(stripe.refunds.create({ payment_intent: 'pi_x' }))
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(declined).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      message: 'Your card was declined.',
    })
  })

  it('the SDK retries a 5xx with the same idempotency key when retries are on', async () => {
    const retrying = client('sk_test_123', 2)
    double.failNext('/v1/checkout/sessions', 503)
    const session = await retrying.checkout.sessions.create(sessionParams(), { idempotencyKey: 'retry-me' })
    expect(session.status).toBe('open')
    const calls = double.callsTo('/v1/checkout/sessions', 'POST')
    expect(calls.map((call) => [call.status, call.idempotencyKey])).toEqual([
      [503, 'retry-me'],
      [200, 'retry-me'],
    ])
  })

  it('rejects bad API keys with StripeAuthenticationError', async () => {
    for (const key of ['sk_live_123', 'pk_test_123', 'nonsense']) {
      const error = await stripeError(client(key).checkout.sessions.create(sessionParams()))
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
      expect(error.statusCode).toBe(401)
    }
    expect(double.sessions()).toHaveLength(0)
  })

  it('answers unknown endpoints with a 404 invalid_request_error', async () => {
    const error = await stripeError(stripe.customers.create({ email: 'x@example.test' }))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error.statusCode).toBe(404)
    expect(error.message).toMatch(/Unrecognized request URL \(POST: \/v1\/customers\)/)
  })

  it('a stopped double gives StripeConnectionError', async () => {
    const gone = await new StripeDouble().start()
    const options = gone.clientOptions()
    await gone.stop()
    const offline = new Stripe('sk_test_123', { ...options, maxNetworkRetries: 0, telemetry: false })
    const error = await stripeError(offline.checkout.sessions.retrieve('cs_test_x'))
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError)
  })
})

describe('StripeDouble: webhook events', () => {
  it('builds events the SDK verifies, and rejects wrong secrets and stale timestamps', async () => {
    const created = await stripe.checkout.sessions.create(sessionParams())
    const event = double.event('checkout.session.completed', double.complete(created.id))
    expect(event).toMatchObject({
      object: 'event',
      type: 'checkout.session.completed',
      api_version: Stripe.API_VERSION,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { id: created.id, payment_status: 'paid' } },
    })
    expect(event.id).toMatch(/^evt_/)

    const { body, signature } = double.signedPayload(event, WEBHOOK_SECRET)
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    const verified = stripe.webhooks.constructEvent(body, signature, WEBHOOK_SECRET)
    expect(verified.id).toBe(event.id)
    expect(verified.type).toBe('checkout.session.completed')
    // Buffers (what express.raw() gives you) verify too.
    expect(stripe.webhooks.constructEvent(Buffer.from(body), signature, WEBHOOK_SECRET).id).toBe(event.id)

    expect(() => stripe.webhooks.constructEvent(body, signature, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )
    expect(() => stripe.webhooks.constructEvent(`${body} `, signature, WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )

    const stale = double.signedPayload(event, WEBHOOK_SECRET, {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    })
    expect(() => stripe.webhooks.constructEvent(stale.body, stale.signature, WEBHOOK_SECRET)).toThrow(
      /Timestamp outside the tolerance zone/,
    )
  })
})
