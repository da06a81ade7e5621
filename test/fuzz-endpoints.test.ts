import { afterAll, beforeAll, describe, it } from '@jest/globals'
import fc from 'fast-check'
import Stripe from 'stripe'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import {
  expectSafeAnswer,
  expectUnchanged,
  fuzzParameters,
  hostileBody,
  hostileId,
  hostileQuery,
  hostileValue,
  snapshot,
  wireBody,
} from './helpers/fuzz'
import type { WireBody } from './helpers/fuzz'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Property-based: random and hostile requests to every custom endpoint, as anonymous, a customer
// and an admin. Never a 5xx, never another customer's data, never a changed document (for
// customers and anonymous), Object.prototype never polluted. FUZZ_RUNS=… for longer runs.

const WEBHOOK_SECRET = 'whsec_fuzz_0123456789'
const RUNS = 20
const BATCH = 8
// Generous timeouts: on a busy machine the boot alone takes tens of seconds.
const SLOW = 300_000

let double: StripeDouble
let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account
let mug: Doc
let draft: Doc
let trashed: Doc
let bobOrder: { id: number | string; orderNumber: string }
let aliceOrder: { id: number | string; orderNumber: string }
let ids: (number | string)[]
let secretsFor: Map<string, string[]>

beforeAll(async () => {
  double = await new StripeDouble().start()
  server = await startTestServer({
    ...double.storeEnv(WEBHOOK_SECRET),
    STRIPE_SWEEP_INTERVAL_S: '3600',
  })
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'fuzz')) as [Account, Account]
  mug = await create(api, admin.token, 'products', product({ title: 'Fuzz mug', price: 1250, stock: 50 }))
  draft = await create(api, admin.token, 'products', product({ sku: 'FUZZ-DRAFT-SECRET', status: 'draft' }))
  trashed = await create(api, admin.token, 'products', product({ sku: 'FUZZ-TRASHED-SECRET' }))
  await api(`/api/products/${trashed.id}`, {
    method: 'PATCH',
    token: admin.token,
    json: { deletedAt: new Date().toISOString() },
  })
  await create(api, admin.token, 'coupons', { code: 'FUZZSECRET10', type: 'percent', value: 10 })

  // Bob has an order (pending) and a full cart; Alice has a delivered order (hers, not cancellable).
  await addToCart(api, bob.token, mug.id, 2)
  bobOrder = (await checkoutCod(api, bob.token)).body.order
  await addToCart(api, bob.token, mug.id, 1)
  await addToCart(api, alice.token, mug.id, 1)
  aliceOrder = (await checkoutCod(api, alice.token)).body.order
  for (const status of ['processing', 'shipped', 'delivered']) {
    await api(`/api/orders/${aliceOrder.id}`, { method: 'PATCH', token: admin.token, json: { status } })
  }
  ids = [mug.id, draft.id, trashed.id, bobOrder.id, aliceOrder.id, alice.id, bob.id, admin.id]
  const catalogSecrets = ['FUZZ-DRAFT-SECRET', 'FUZZ-TRASHED-SECRET', 'FUZZSECRET10']
  secretsFor = new Map([
    [
      'anonymous',
      [...catalogSecrets, alice.email, bob.email, admin.email, bobOrder.orderNumber, aliceOrder.orderNumber],
    ],
    ['customer', [...catalogSecrets, bob.email, admin.email, bobOrder.orderNumber]],
    ['admin', []],
  ])
}, SLOW)

afterAll(async () => {
  await server?.stop()
  await double?.stop()
})

type Target = { method: string; path: string; wire?: WireBody; headers?: Record<string, string> }

function checkoutTarget(): fc.Arbitrary<Target> {
  const body = (shape: Parameters<typeof hostileBody>[1]) => wireBody(hostileBody(ids, shape))
  const address = hostileBody(ids, {
    name: fc.constantFrom(ADDRESS.name, ''),
    line1: fc.constant(ADDRESS.line1),
    line2: fc.constant(undefined),
    city: fc.constant(ADDRESS.city),
    postalCode: fc.constantFrom(ADDRESS.postalCode, 'x'),
    country: fc.constantFrom(ADDRESS.country, 'gbr'),
    phone: fc.constant('+44 20 7946 0000'),
  })
  return fc
    .tuple(
      body({ paymentMethod: fc.constantFrom('cod', 'card', 'bitcoin'), shippingAddress: address }),
      fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
    )
    .map(([wire, key]): Target => ({
      method: 'POST',
      path: '/api/checkout',
      wire,
      headers: key === undefined ? {} : { 'Idempotency-Key': key.replace(/[^\x20-\x7e]/g, '') },
    }))
}

function targets(withCheckout: boolean): fc.Arbitrary<Target> {
  const value = hostileValue(ids)
  const id = hostileId(ids)
  const quantity = fc.oneof(fc.integer({ min: -2, max: 120 }), value)
  const body = (shape: Parameters<typeof hostileBody>[1]) => wireBody(hostileBody(ids, shape))
  const signature = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('t=1,v1=abc', 'v1=', '', 't=9999999999,v1=' + 'a'.repeat(64), 'garbage'),
    fc.string({ maxLength: 30 }),
  )
  return fc.oneof<fc.Arbitrary<Target>[]>(
    fc.constantFrom<Target>(
      { method: 'GET', path: '/api/carts/mine' },
      { method: 'DELETE', path: '/api/carts/mine' },
      { method: 'DELETE', path: '/api/carts/mine/coupon' },
      { method: 'GET', path: '/api/health' },
      { method: 'GET', path: '/api/ready' },
    ),
    fc
      .tuple(fc.constantFrom('/api/health', '/api/ready', '/api/carts/mine'), hostileQuery)
      .map(([path, query]) => ({ method: 'GET', path: `${path}${query}` })),
    body({ product: fc.constantFrom(...ids), quantity }).map((wire) => ({
      method: 'POST',
      path: '/api/carts/mine/items',
      wire,
    })),
    fc
      .tuple(id, body({ quantity }))
      .map(([productId, wire]) => ({ method: 'PATCH', path: `/api/carts/mine/items/${productId}`, wire })),
    id.map((productId) => ({ method: 'DELETE', path: `/api/carts/mine/items/${productId}` })),
    body({ code: fc.constantFrom('FUZZ', 'fuzzsecret1', ' ') }).map((wire) => ({
      method: 'POST',
      path: '/api/carts/mine/coupon',
      wire,
    })),
    ...(withCheckout ? [checkoutTarget()] : []),
    fc
      .tuple(id, fc.option(body({ reason: value }), { nil: undefined }))
      .map(([orderId, wire]) => ({ method: 'POST', path: `/api/orders/${orderId}/cancel`, wire })),
    body({
      message: fc.constantFrom('hello', ''),
      room: fc.constantFrom('public:lobby', 'admins', 'user:1'),
    }).map((wire) => ({ method: 'POST', path: '/api/notifications/broadcast', wire })),
    fc.tuple(body({ id: value, type: value, data: value }), signature).map(([wire, sig]): Target => ({
      method: 'POST',
      path: '/api/stripe/webhook',
      wire,
      headers: sig === undefined ? {} : { 'Stripe-Signature': sig.replace(/[^\x20-\x7e]/g, '') },
    })),
  )
}

async function send(target: Target, token?: string) {
  const headers: Record<string, string> = { ...target.headers }
  if (target.wire?.contentType) headers['Content-Type'] = target.wire.contentType
  return api(target.path, { method: target.method, token, headers, body: target.wire?.body })
}

const describeRequest = (target: Target) =>
  `${target.method} ${target.path.slice(0, 200)} ${(target.wire?.body ?? '').slice(0, 300)}`

async function resetCart(account: Account): Promise<void> {
  await server.payload.delete({ collection: 'carts', where: { customer: { equals: account.id } } })
}

describe('custom endpoints under hostile input', () => {
  // A snapshot costs more than a request: each run sends a batch, then compares.
  const batch = (withCheckout: boolean) => fc.array(targets(withCheckout), { minLength: 1, maxLength: BATCH })

  async function run(batchOf: Target[], actor: Account | undefined, secrets: string[]): Promise<void> {
    const before = await snapshot(server.payload)
    for (const target of batchOf) {
      expectSafeAnswer(describeRequest(target), await send(target, actor?.token), secrets)
    }
    expectUnchanged(before, await snapshot(server.payload), actor, batchOf.map(describeRequest).join('\n'))
  }

  it(
    'anonymous: never a 5xx, a leak or a change',
    async () => {
      await fc.assert(
        fc.asyncProperty(batch(true), (targetsOf) =>
          run(targetsOf, undefined, secretsFor.get('anonymous') ?? []),
        ),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )

  it(
    'a customer: never a 5xx, another customer’s data or a change beyond their own cart',
    async () => {
      // Checkout is left out of the batches (a batch could fill the cart, then check it out: a real
      // order); it has its own property below, batches of checkouts only, on an emptied cart (checkouts alone leave it empty).
      await fc.assert(
        fc.asyncProperty(batch(false), async (targetsOf) => {
          await resetCart(alice)
          await run(targetsOf, alice, secretsFor.get('customer') ?? [])
        }),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )

  it(
    'a customer checking out an empty cart with hostile bodies: never a 5xx or a change',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(checkoutTarget(), { minLength: 1, maxLength: BATCH }),
          async (targetsOf) => {
            await resetCart(alice)
            await run(targetsOf, alice, secretsFor.get('customer') ?? [])
          },
        ),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )

  it(
    'an admin: never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(batch(true), async (targetsOf) => {
          for (const target of targetsOf)
            expectSafeAnswer(describeRequest(target), await send(target, admin.token), [])
        }),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )

  it(
    'the Stripe webhook: correctly signed but hostile events never answer 5xx',
    async () => {
      const signer = new Stripe('sk_test_signer')
      const orderIds = [bobOrder.id, aliceOrder.id, String(bobOrder.id)]
      const session = hostileBody(ids, {
        id: fc.constantFrom('cs_test_1', ''),
        object: fc.constant('checkout.session'),
        metadata: hostileBody(ids, { orderId: fc.constantFrom(...orderIds) }),
        payment_status: fc.constantFrom('paid', 'unpaid'),
        amount_total: fc.integer(),
        currency: fc.constantFrom('usd', 'eur'),
        payment_intent: fc.constantFrom('pi_1', null),
      })
      const event = hostileBody(ids, {
        id: fc.string({ maxLength: 20 }).map((suffix) => `evt_${suffix}`),
        object: fc.constant('event'),
        type: fc.constantFrom(
          'checkout.session.completed',
          'checkout.session.async_payment_succeeded',
          'checkout.session.expired',
          'checkout.session.async_payment_failed',
          'charge.refunded',
          'unknown.type',
        ),
        data: hostileBody(ids, { object: session }),
        created: fc.integer(),
      })
      await fc.assert(
        fc.asyncProperty(wireBody(event), async (wire) => {
          const payload = wire.body ?? ''
          const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })
          const target: Target = {
            method: 'POST',
            path: '/api/stripe/webhook',
            wire,
            headers: { 'Stripe-Signature': signature },
          }
          expectSafeAnswer(describeRequest(target), await send(target), [])
        }),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )
})
