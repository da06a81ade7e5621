import { afterAll, beforeAll, describe, it } from '@jest/globals'
import fc from 'fast-check'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import {
  expectSafeAnswer,
  expectUnchanged,
  fuzzParameters,
  hostileBody,
  hostileFilename,
  hostileGraphql,
  hostileId,
  hostileQuery,
  multipart,
  snapshot,
  wireBody,
} from './helpers/fuzz'
import type { WireBody } from './helpers/fuzz'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { addToCart, checkoutCod } from './helpers/shop'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Property-based: hostile GET/POST/PATCH (and, for non-admins, DELETE) requests to Payload's
// generated REST endpoints of every collection, with hostile `where` queries (`where[price][$gt]=`,
// `where[or][0][customer][equals]=…`, `__proto__[…]`) and hostile JSON bodies. Never a 5xx, never
// another customer's data, never a changed document for customers and anonymous, no prototype
// pollution. FUZZ_RUNS=… for longer runs.

const RUNS = 30
const BATCH = 8
// Generous timeouts: on a busy machine the boot alone takes tens of seconds.
const SLOW = 300_000

/** The fields a body for each collection tries (its own, plus what an attacker would add). */
const FIELDS: Record<string, string[]> = {
  users: [
    'email',
    'password',
    'name',
    'roles',
    'avatar',
    '_verified',
    'loginAttempts',
    'lockUntil',
    'sessions',
  ],
  products: [
    'title',
    'slug',
    'price',
    'compareAtPrice',
    'sku',
    'stock',
    'status',
    'brand',
    'categories',
    'deletedAt',
  ],
  brands: ['name', 'slug', 'image'],
  categories: ['name', 'slug', 'parent', 'image', 'deletedAt'],
  carts: ['customer', 'items', 'coupon'],
  orders: [
    'status',
    'paymentStatus',
    'customer',
    'items',
    'total',
    'orderNumber',
    'statusHistory',
    'couponCode',
  ],
  coupons: ['code', 'type', 'value', 'usedCount', 'maxUses', 'active', 'expiresAt'],
  media: ['alt', 'owner', 'private', 'filename', 'url'],
  counters: ['name', 'value'],
  'coupon-usages': ['coupon', 'customer', 'order'],
  'stripe-events': ['eventId', 'type', 'order'],
  'idempotency-keys': ['key', 'customer', 'response'],
}
const COLLECTIONS = Object.keys(FIELDS)

let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account
let ids: (number | string)[]
let secretsFor: Map<string, string[]>

beforeAll(async () => {
  server = await startTestServer()
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'fuzz')) as [Account, Account]
  const brand = await create(api, admin.token, 'brands', { name: 'Fuzz brand' })
  const category = await create(api, admin.token, 'categories', { name: 'Fuzz category' })
  const mug: Doc = await create(
    api,
    admin.token,
    'products',
    product({ title: 'Fuzz mug', stock: 50, brand: brand.id, categories: [category.id] }),
  )
  const draft = await create(
    api,
    admin.token,
    'products',
    product({ sku: 'FUZZ-DRAFT-SECRET', status: 'draft' }),
  )
  const trashed = await create(api, admin.token, 'products', product({ sku: 'FUZZ-TRASHED-SECRET' }))
  await api(`/api/products/${trashed.id}`, {
    method: 'PATCH',
    token: admin.token,
    json: { deletedAt: new Date().toISOString() },
  })
  const coupon = await create(api, admin.token, 'coupons', {
    code: 'FUZZSECRET10',
    type: 'percent',
    value: 10,
  })
  await addToCart(api, bob.token, mug.id, 2)
  const bobOrder = (await checkoutCod(api, bob.token)).body.order
  await addToCart(api, bob.token, mug.id, 1)
  await addToCart(api, alice.token, mug.id, 1)
  const aliceOrder = (await checkoutCod(api, alice.token)).body.order
  await addToCart(api, alice.token, mug.id, 1)
  ids = [
    mug.id,
    draft.id,
    trashed.id,
    brand.id,
    category.id,
    coupon.id,
    bobOrder.id,
    aliceOrder.id,
    alice.id,
    bob.id,
  ]
  const catalogSecrets = ['FUZZ-DRAFT-SECRET', 'FUZZ-TRASHED-SECRET', 'FUZZSECRET10']
  secretsFor = new Map([
    [
      'anonymous',
      [...catalogSecrets, alice.email, bob.email, admin.email, bobOrder.orderNumber, aliceOrder.orderNumber],
    ],
    ['customer', [...catalogSecrets, bob.email, admin.email, bobOrder.orderNumber]],
  ])
}, SLOW)

afterAll(async () => {
  await server?.stop()
})

type Target = {
  method: string
  path: string
  wire?: WireBody
  upload?: { body: Buffer; contentType: string }
}

/** What any caller may send: versions routes of every collection and GraphQL documents. */
function everyoneTargets(): fc.Arbitrary<Target>[] {
  const id = hostileId(ids)
  const collection = fc.constantFrom(...COLLECTIONS, 'globals/settings')
  return [
    fc
      .tuple(fc.constantFrom('GET', 'POST'), collection, fc.option(id, { nil: undefined }), hostileQuery)
      .map(([method, slug, docId, query]) => ({
        method,
        path: `/api/${slug}/versions${docId === undefined ? '' : `/${docId}`}${query}`,
      })),
    hostileGraphql(ids).map((wire) => ({ method: 'POST', path: '/api/graphql', wire })),
  ]
}

/** Multipart uploads with hostile filenames (customers may upload: their runs leave these out). */
const uploadTarget: fc.Arbitrary<Target> = fc
  .tuple(
    hostileFilename,
    fc.option(fc.constantFrom('{"alt":"fuzz"}', '{', '{"owner":1,"private":false}', '[]'), {
      nil: undefined,
    }),
  )
  .map(([filename, json]) => ({ method: 'POST', path: '/api/media', upload: multipart(filename, json) }))

function targets(destructive: boolean, uploads = false): fc.Arbitrary<Target> {
  const id = hostileId(ids)
  const collection = fc.constantFrom(...COLLECTIONS)
  const body = (slug: string) =>
    wireBody(hostileBody(ids, Object.fromEntries((FIELDS[slug] ?? []).map((field) => [field, undefined]))))
  const withBody = (method: string, path: (slug: string) => fc.Arbitrary<string>) =>
    collection.chain((slug) =>
      fc.tuple(path(slug), body(slug)).map(([to, wire]): Target => ({ method, path: to, wire })),
    )
  const choices: fc.Arbitrary<Target>[] = [
    fc
      .tuple(collection, hostileQuery)
      .map(([slug, query]) => ({ method: 'GET', path: `/api/${slug}${query}` })),
    fc
      .tuple(collection, id, hostileQuery)
      .map(([slug, docId, query]) => ({ method: 'GET', path: `/api/${slug}/${docId}${query}` })),
    withBody('POST', (slug) => fc.constant(`/api/${slug}`)),
    withBody('PATCH', (slug) => id.map((docId) => `/api/${slug}/${docId}`)),
    withBody('PATCH', (slug) => hostileQuery.map((query) => `/api/${slug}${query}`)),
    ...everyoneTargets(),
  ]
  if (uploads) choices.push(uploadTarget)
  if (destructive) {
    choices.push(
      fc.tuple(collection, id).map(([slug, docId]) => ({ method: 'DELETE', path: `/api/${slug}/${docId}` })),
      fc
        .tuple(collection, hostileQuery)
        .map(([slug, query]) => ({ method: 'DELETE', path: `/api/${slug}${query}` })),
    )
  }
  return fc.oneof(...choices)
}

async function send(target: Target, token?: string) {
  const headers: Record<string, string> = {}
  const contentType = target.upload?.contentType ?? target.wire?.contentType
  if (contentType) headers['Content-Type'] = contentType
  const body = target.upload ? new Uint8Array(target.upload.body) : target.wire?.body
  return api(target.path, { method: target.method, token, headers, body })
}

const describeRequest = (target: Target) =>
  `${target.method} ${target.path.slice(0, 300)} ${(target.upload?.body.toString('latin1') ?? target.wire?.body ?? '').slice(0, 300)}`

async function run(batch: Target[], actor: Account | undefined, secrets: string[]): Promise<void> {
  const before = await snapshot(server.payload)
  for (const target of batch)
    expectSafeAnswer(describeRequest(target), await send(target, actor?.token), secrets)
  expectUnchanged(before, await snapshot(server.payload), actor, batch.map(describeRequest).join('\n'))
}

describe('generated collection endpoints under hostile input', () => {
  it(
    'anonymous: never a 5xx, a leak or a change',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(targets(true, true), { minLength: 1, maxLength: BATCH }), (batch) =>
          run(batch, undefined, secretsFor.get('anonymous') ?? []),
        ),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )

  it(
    'a customer: never a 5xx, another customer’s data or a change beyond their own profile',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(targets(true), { minLength: 1, maxLength: BATCH }), (batch) =>
          run(batch, alice, secretsFor.get('customer') ?? []),
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
        fc.asyncProperty(
          fc.array(targets(false, true), { minLength: 1, maxLength: BATCH }),
          async (batch) => {
            for (const target of batch)
              expectSafeAnswer(describeRequest(target), await send(target, admin.token), [])
          },
        ),
        fuzzParameters(RUNS),
      )
    },
    SLOW,
  )
})
