import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import sharp from 'sharp'
import Stripe from 'stripe'

import { ACTORS, COLLECTIONS, ENDPOINTS, HIDDEN_USER_FIELDS } from '../src/access/matrix'
import type { Actor, CollectionPolicy, EndpointPolicy, Operation, Rule } from '../src/access/matrix'
import { renderSecurityDoc } from '../src/access/securityDoc'
import { product as productData } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api, ApiOptions, ApiResponse } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS } from './helpers/shop'
import { firstAdmin, uniqueEmail, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

// Every cell of src/access/matrix.ts, against the real server, over REST and GraphQL, with real
// accounts and documents made for each case (a fresh one wherever a cell changes something).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const mediaDir = mkdtempSync(path.join(tmpdir(), 'rbac-media-'))
const WEBHOOK_SECRET = 'whsec_rbac_test'

type Id = number | string
type Doc = { id: Id; [key: string]: unknown }
type LocalFile = { data: Buffer; mimetype: string; name: string; size: number }
type AsUser = Doc & { collection: 'users' }

/** The Local API with the collection as a plain string: the matrix names collections as data. */
type Local = {
  create(args: {
    collection: string
    data: Record<string, unknown>
    user?: AsUser
    file?: LocalFile
    disableVerificationEmail?: boolean
  }): Promise<Doc>
  update(args: { collection: string; id: Id; data: Record<string, unknown>; trash?: boolean }): Promise<Doc>
  findByID(args: {
    collection: string
    id: Id
    trash?: boolean
    depth?: number
    disableErrors?: boolean
    showHiddenFields?: boolean
  }): Promise<Doc | null>
  find(args: {
    collection: string
    where?: Record<string, unknown>
    depth?: number
    limit?: number
    showHiddenFields?: boolean
  }): Promise<{ docs: Doc[] }>
  count(args: { collection: string; trash?: boolean }): Promise<{ totalDocs: number }>
  delete(args: { collection: string; where: Record<string, unknown> }): Promise<unknown>
}

let server: TestServer
let api: Api
let local: Local
let accounts: Record<Exclude<Actor, 'anonymous'>, Account>
let users: Record<Exclude<Actor, 'anonymous'>, AsUser>
let shelfProduct: Doc
let image: Buffer

/** Every answer anyone got, to check afterwards that nothing leaked. */
const answers: { actor: Actor; text: string }[] = []

const tokenOf = (actor: Actor): string | undefined =>
  actor === 'anonymous' ? undefined : accounts[actor].token

async function rest<T = Record<string, unknown>>(
  actor: Actor,
  url: string,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const res = await api<T>(url, { ...options, token: tokenOf(actor) })
  answers.push({ actor, text: res.text })
  return res
}

type GraphQLAnswer = {
  data?: Record<string, unknown> | null
  errors?: { message: string; extensions?: { statusCode?: number } }[]
}

/** A GraphQL call, answered as a status: the first error's status, or 200 with data. */
async function graphql(
  actor: Actor,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; data: Record<string, unknown> }> {
  const res = await rest<GraphQLAnswer>(actor, '/api/graphql', { json: { query, variables } })
  const error = res.body.errors?.[0]
  if (error)
    return { status: error.extensions?.statusCode ?? (res.status === 200 ? 400 : res.status), data: {} }
  return { status: res.status, data: res.body.data ?? {} }
}

let sequence = 0
const next = (): number => ++sequence

const png = (size: number): Promise<Buffer> =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer()

const file = (): LocalFile => ({
  data: image,
  mimetype: 'image/png',
  name: `img-${next()}.png`,
  size: image.length,
})

const address = { ...ADDRESS, line2: null, phone: null, country: 'GB' }

async function freshCustomer(): Promise<Doc> {
  return local.create({
    collection: 'users',
    data: { email: uniqueEmail('fresh'), password: 'fresh-pass-123', roles: ['customer'], _verified: true },
    disableVerificationEmail: true,
  })
}

async function pendingOrder(customer: Id, history: Record<string, unknown>[] = []): Promise<Doc> {
  const n = next()
  return local.create({
    collection: 'orders',
    data: {
      orderNumber: `RBAC-${Date.now()}-${n}`,
      customer,
      items: [
        {
          product: shelfProduct.id,
          title: String(shelfProduct.title),
          sku: String(shelfProduct.sku),
          unitPrice: 1999,
          quantity: 1,
          lineTotal: 1999,
        },
      ],
      subtotal: 1999,
      discount: 0,
      shipping: 0,
      total: 1999,
      currency: 'usd',
      paymentMethod: 'cod',
      paymentStatus: 'unpaid',
      status: 'pending',
      shippingAddress: address,
      statusHistory: history,
    },
  })
}

/** Replaces the customer's cart (one per customer) with a fresh one holding the shelf product. */
async function freshCart(customer: Id): Promise<Doc> {
  await local.delete({ collection: 'carts', where: { customer: { equals: customer } } })
  return local.create({
    collection: 'carts',
    data: { customer, items: [{ product: shelfProduct.id, quantity: 1 }] },
  })
}

/** How the test makes, creates through the API and changes the documents of one collection. */
type Fixture = {
  /** A fresh document of this kind; `actor`/`operation` only matter where a real account is the document. */
  make: (variant: string, actor: Actor, operation: Operation) => Promise<Doc>
  /** Body of an API create (the caller's own data; REST and GraphQL). */
  createData?: () => Promise<Record<string, unknown>>
  /** Body of an API update, with the value that proves it applied. */
  update: () => Record<string, unknown>
  /** What GraphQL's input types insist on besides (required groups and selects, even with defaults). */
  graphqlCreate?: Record<string, unknown>
  graphqlUpdate?: Record<string, unknown>
}

const FIXTURES: Record<string, Fixture> = {
  products: {
    make: async (variant) => {
      const doc = await local.create({
        collection: 'products',
        data: productData({ status: variant === 'draft' ? 'draft' : 'published' }),
      })
      if (variant !== 'trashed') return doc
      return local.update({
        collection: 'products',
        id: doc.id,
        data: { deletedAt: new Date().toISOString() },
      })
    },
    createData: async () => productData(),
    update: () => ({ title: `Changed ${next()}` }),
  },
  brands: {
    make: () => local.create({ collection: 'brands', data: { name: `Brand ${next()}` } }),
    createData: async () => ({ name: `Brand ${next()}` }),
    update: () => ({ name: `Renamed ${next()}` }),
  },
  categories: {
    make: async (variant) => {
      const doc = await local.create({ collection: 'categories', data: { name: `Category ${next()}` } })
      if (variant !== 'trashed') return doc
      return local.update({
        collection: 'categories',
        id: doc.id,
        data: { deletedAt: new Date().toISOString() },
      })
    },
    createData: async () => ({ name: `Category ${next()}` }),
    update: () => ({ name: `Renamed ${next()}` }),
  },
  media: {
    make: (variant) =>
      local.create({
        collection: 'media',
        data: { alt: `image ${next()}` },
        user: variant === 'private' ? users.customer : users.admin,
        file: file(),
      }),
    update: () => ({ alt: `changed ${next()}` }),
  },
  users: {
    // Deleting must not take a real actor's account away from the rest of the run.
    make: async (variant, actor, operation) => {
      if (operation === 'delete' && actor === 'admin') {
        if (variant === 'self') return freshCustomer()
        return local.create({
          collection: 'users',
          data: {
            email: uniqueEmail('admin2'),
            password: 'admin2-pass-123',
            roles: ['admin'],
            _verified: true,
          },
          disableVerificationEmail: true,
        })
      }
      return variant === 'self' ? users.customer : users.admin
    },
    createData: async () => ({ email: uniqueEmail('new'), password: 'new-pass-1234' }),
    update: () => ({ name: `Name ${next()}` }),
    graphqlCreate: { roles: ['customer'] },
  },
  carts: {
    make: () => freshCart(users.customer.id),
    createData: async () => ({ customer: (await freshCustomer()).id, items: [] }),
    update: () => ({ items: [] }),
  },
  orders: {
    make: () => pendingOrder(users.customer.id),
    createData: async () => ({
      orderNumber: `FORGED-${next()}`,
      customer: users.customer.id,
      items: [{ title: 'Forged', sku: 'FORGED', unitPrice: 1, quantity: 1, lineTotal: 1 }],
      subtotal: 1,
      discount: 0,
      shipping: 0,
      total: 1,
      currency: 'usd',
      paymentMethod: 'cod',
      shippingAddress: ADDRESS,
    }),
    update: () => ({ status: 'processing' }),
    graphqlCreate: { status: 'pending', paymentStatus: 'unpaid' },
    graphqlUpdate: { shippingAddress: ADDRESS },
  },
  coupons: {
    make: () =>
      local.create({ collection: 'coupons', data: { code: `RBAC${next()}`, type: 'percent', value: 10 } }),
    createData: async () => ({ code: `NEW${next()}`, type: 'percent', value: 5 }),
    update: () => ({ value: 11 + (next() % 80) }),
  },
  counters: {
    make: () => local.create({ collection: 'counters', data: { name: `counter-${next()}`, value: 1 } }),
    createData: async () => ({ name: `forged-${next()}`, value: 1 }),
    update: () => ({ value: 1000 + next() }),
  },
  'coupon-usages': {
    make: async () => {
      const coupon = await fixtureOf('coupons').make('coupon', 'admin', 'read')
      return local.create({
        collection: 'coupon-usages',
        data: { key: `usage-${next()}`, coupon: coupon.id, customer: users.customer.id, count: 1 },
      })
    },
    createData: async () => {
      const coupon = await fixtureOf('coupons').make('coupon', 'admin', 'read')
      return { key: `forged-${next()}`, coupon: coupon.id, customer: users.customer.id, count: 0 }
    },
    update: () => ({ count: 100 + next() }),
  },
  'idempotency-keys': {
    make: () =>
      local.create({
        collection: 'idempotency-keys',
        data: {
          key: `key-${next()}`,
          customer: users.customer.id,
          requestHash: 'h',
          state: 'done',
          status: 201,
        },
      }),
    createData: async () => ({ key: `forged-${next()}`, customer: users.customer.id, requestHash: 'h' }),
    graphqlCreate: { state: 'processing' },
    update: () => ({ status: 300 + (next() % 99) }),
  },
  'stripe-events': {
    make: () =>
      local.create({
        collection: 'stripe-events',
        data: { eventId: `evt_${next()}`, type: 'charge.refunded' },
      }),
    createData: async () => ({ eventId: `evt_forged_${next()}`, type: 'checkout.session.completed' }),
    update: () => ({ type: `changed.${next()}` }),
  },
  'payload-locked-documents': {
    make: () =>
      local.create({
        collection: 'payload-locked-documents',
        data: {
          document: { relationTo: 'products', value: shelfProduct.id },
          user: { relationTo: 'users', value: users.admin.id },
        },
      }),
    createData: async () => ({
      document: { relationTo: 'products', value: shelfProduct.id },
      user: { relationTo: 'users', value: users.admin.id },
      globalSlug: `forged-${next()}`,
    }),
    update: () => ({ globalSlug: `changed-${next()}` }),
  },
  'payload-preferences': {
    make: (variant) =>
      local.create({
        collection: 'payload-preferences',
        data: {
          key: `pref-${next()}`,
          user: { relationTo: 'users', value: variant === 'admin' ? users.admin.id : users.customer.id },
          value: { columns: ['title'] },
        },
        user: variant === 'admin' ? users.admin : users.customer,
      }),
    createData: async () => ({ key: `pref-${next()}`, value: { theme: 'dark' } }),
    update: () => ({ value: { changed: next() } }),
  },
}

beforeAll(async () => {
  server = await startTestServer({
    MEDIA_DIR: mediaDir,
    STRIPE_SECRET_KEY: 'sk_test_rbac',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // Nothing here talks to Stripe; a closed port makes sure nothing tries.
    STRIPE_API_URL: 'http://127.0.0.1:9',
    STRIPE_SWEEP_INTERVAL_S: '86400',
  })
  api = client(server.url)
  local = server.payload as unknown as Local
  image = await png(400)
  const admin = await firstAdmin(api)
  const [customer, otherCustomer] = [
    await verifiedCustomer(api, server.mailbox, 'owner'),
    await verifiedCustomer(api, server.mailbox, 'other'),
  ]
  accounts = { customer, otherCustomer, admin }
  const asUser = async (account: Account): Promise<AsUser> => {
    const doc = await local.findByID({ collection: 'users', id: account.id, depth: 0 })
    if (!doc) throw new Error('account vanished')
    return { ...doc, collection: 'users' }
  }
  users = {
    customer: await asUser(customer),
    otherCustomer: await asUser(otherCustomer),
    admin: await asUser(admin),
  }
  shelfProduct = await local.create({ collection: 'products', data: productData({ stock: 1000 }) })
  // Booting (a schema push on PostgreSQL) and three real sign-ups: slow on a loaded machine.
}, 180_000)

afterAll(async () => {
  await server?.stop()
  rmSync(mediaDir, { recursive: true, force: true })
})

function fixtureOf(slug: string): Fixture {
  const fixture = (FIXTURES as Record<string, Fixture | undefined>)[slug]
  if (!fixture) throw new Error(`no fixture for ${slug}`)
  return fixture
}

// ---------------------------------------------------------------------------------------------
// Expectations as short summaries, so that a failure shows every wrong cell of a row at once.

const variantsOf = (policy: CollectionPolicy): string[] => Object.keys(policy.variants)

function allowedVariants(policy: CollectionPolicy, rule: Rule): string[] {
  if (rule.kind === 'all') return variantsOf(policy)
  if (rule.kind === 'only') return [...rule.variants]
  return []
}

const byIdOver = (policy: CollectionPolicy, transport: Transport): boolean =>
  !(transport === 'rest' && policy.restByIdIsKey)

function expectedRead(policy: CollectionPolicy, rule: Rule, transport: Transport): string {
  const visible = allowedVariants(policy, rule)
  const list = rule.kind === 'denied' ? `list ${rule.status}` : `list 200 [${visible.sort().join(',')}]`
  if (!byIdOver(policy, transport)) return list
  const byId = variantsOf(policy).map((variant) => {
    if (rule.kind === 'denied') return `${variant}:${rule.status}`
    return `${variant}:${visible.includes(variant) ? 200 : 404}`
  })
  return [list, ...byId].join(' ')
}

function expectedWrite(policy: CollectionPolicy, rule: Rule, operation: 'update' | 'delete'): string {
  const allowed = allowedVariants(policy, rule)
  return variantsOf(policy)
    .map((variant) => {
      if (allowed.includes(variant)) return `${variant}:ok:${operation === 'update' ? 'changed' : 'gone'}`
      const status = rule.kind === 'denied' ? rule.status : 403
      return `${variant}:${status}:unchanged`
    })
    .join(' ')
}

const expectedCreate = (rule: Rule): string =>
  rule.kind === 'denied' ? `${rule.status}:unchanged` : 'ok:created'

type Transport = 'rest' | 'graphql'
const TRANSPORTS: Transport[] = ['rest', 'graphql']

const literal = (id: Id): string => JSON.stringify(id)
const trashArg = (policy: CollectionPolicy): string => (policy.trash ? ', trash: true' : '')
const trashQuery = (policy: CollectionPolicy): string => (policy.trash ? '&trash=true' : '')

async function readAs(
  policy: CollectionPolicy,
  actor: Actor,
  transport: Transport,
  docs: Record<string, Doc>,
) {
  const byVariant = new Map(Object.entries(docs).map(([variant, doc]) => [String(doc.id), variant]))
  let list: string
  if (transport === 'rest') {
    const res = await rest<{ docs?: Doc[] }>(
      actor,
      `/api/${policy.slug}?limit=1000&depth=1${trashQuery(policy)}`,
    )
    const seen = (res.body.docs ?? []).map((doc) => byVariant.get(String(doc.id))).filter(Boolean)
    list = res.status === 200 ? `list 200 [${seen.sort().join(',')}]` : `list ${res.status}`
  } else {
    const { plural } = policy.graphql
    const res = await graphql(actor, `{ ${plural}(limit: 1000${trashArg(policy)}) { docs { id } } }`)
    const found = (res.data[plural] as { docs: Doc[] } | null)?.docs ?? []
    const seen = found.map((doc) => byVariant.get(String(doc.id))).filter(Boolean)
    list = res.status === 200 ? `list 200 [${seen.sort().join(',')}]` : `list ${res.status}`
  }
  if (!byIdOver(policy, transport)) return list
  const byId = await Promise.all(
    Object.entries(docs).map(async ([variant, doc]) => {
      if (transport === 'rest') {
        const res = await rest(actor, `/api/${policy.slug}/${doc.id}?depth=0${trashQuery(policy)}`)
        return `${variant}:${res.status}`
      }
      const { singular } = policy.graphql
      const res = await graphql(actor, `{ ${singular}(id: ${literal(doc.id)}${trashArg(policy)}) { id } }`)
      return `${variant}:${res.status === 200 && !res.data[singular] ? 404 : res.status}`
    }),
  )
  return [list, ...byId].join(' ')
}

async function stored(policy: CollectionPolicy, id: Id): Promise<Doc | null> {
  return local.findByID({ collection: policy.slug, id, depth: 0, trash: true, disableErrors: true })
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

async function writeAs(
  policy: CollectionPolicy,
  actor: Actor,
  transport: Transport,
  operation: 'update' | 'delete',
): Promise<string> {
  const fixture = fixtureOf(policy.slug)
  const results: string[] = []
  for (const variant of variantsOf(policy)) {
    const doc = await fixture.make(variant, actor, operation)
    const before = await stored(policy, doc.id)
    const data = fixture.update()
    let status: number
    if (transport === 'rest') {
      const url = `/api/${policy.slug}/${doc.id}${policy.trash ? '?trash=true' : ''}`
      const res =
        operation === 'update'
          ? await rest(actor, url, { method: 'PATCH', json: data })
          : await rest(actor, url, { method: 'DELETE' })
      status = res.status
    } else {
      const { singular } = policy.graphql
      const res =
        operation === 'update'
          ? await graphql(
              actor,
              `mutation($data: mutation${singular}UpdateInput!) { update${singular}(id: ${literal(doc.id)}, data: $data${trashArg(policy)}) { id } }`,
              { data: { ...fixture.graphqlUpdate, ...data } },
            )
          : await graphql(
              actor,
              `mutation { delete${singular}(id: ${literal(doc.id)}${trashArg(policy)}) { id } }`,
            )
      status = res.status
    }
    const after = await stored(policy, doc.id)
    let effect: string
    if (operation === 'delete') effect = after ? 'unchanged' : 'gone'
    else {
      const changed = Object.entries(data).every(([key, value]) => sameValue(after?.[key], value))
      effect = changed ? 'changed' : sameValue(after, before) ? 'unchanged' : 'altered'
    }
    results.push(`${variant}:${status === 200 ? 'ok' : status}:${effect}`)
  }
  return results.join(' ')
}

async function createAs(policy: CollectionPolicy, actor: Actor, transport: Transport): Promise<string> {
  const fixture = fixtureOf(policy.slug)
  const before = (await local.count({ collection: policy.slug, trash: true })).totalDocs
  let ok: boolean
  let status: number
  if (policy.slug === 'media') {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), `up-${next()}.png`)
    form.append('_payload', JSON.stringify({ alt: 'uploaded' }))
    const res = await rest(actor, '/api/media', { method: 'POST', body: form })
    status = res.status
    ok = status === 201
  } else {
    const data = await (fixture.createData ?? (async () => ({})))()
    if (transport === 'rest') {
      const res = await rest(actor, `/api/${policy.slug}`, { json: data })
      status = res.status
      ok = status === 201
    } else {
      const { singular } = policy.graphql
      const res = await graphql(
        actor,
        `mutation($data: mutation${singular}Input!) { create${singular}(data: $data) { id } }`,
        { data: { ...fixture.graphqlCreate, ...data } },
      )
      status = res.status
      ok = status === 200
    }
  }
  const after = (await local.count({ collection: policy.slug, trash: true })).totalDocs
  const effect =
    after === before + 1 ? 'created' : after === before ? 'unchanged' : `count ${before}→${after}`
  return `${ok ? 'ok' : status}:${effect}`
}

// ---------------------------------------------------------------------------------------------

describe.each(COLLECTIONS.map((policy) => [policy.slug, policy] as const))('%s', (_slug, policy) => {
  const cases = TRANSPORTS.filter((transport) => transport === 'rest' || policy.graphql.create)

  it.each(cases)('create over %s', async (transport) => {
    const expected: Record<string, string> = {}
    const actual: Record<string, string> = {}
    for (const actor of ACTORS) {
      expected[actor] = expectedCreate(policy.rules.create[actor])
      actual[actor] = await createAs(policy, actor, transport)
    }
    expect(actual).toEqual(expected)
  })

  it.each(TRANSPORTS)('read (list and by id) over %s', async (transport) => {
    const docs: Record<string, Doc> = {}
    for (const variant of variantsOf(policy))
      docs[variant] = await fixtureOf(policy.slug).make(variant, 'admin', 'read')
    const expected: Record<string, string> = {}
    const actual: Record<string, string> = {}
    await Promise.all(
      ACTORS.map(async (actor) => {
        expected[actor] = expectedRead(policy, policy.rules.read[actor], transport)
        actual[actor] = await readAs(policy, actor, transport, docs)
      }),
    )
    expect(actual).toEqual(expected)
  })

  // REST DELETE /api/payload-preferences/<x> is the by-key endpoint, run with the endpoints below.
  const writes = TRANSPORTS.flatMap((transport) =>
    (['update', 'delete'] as const)
      .filter((op) => op === 'update' || byIdOver(policy, transport))
      .map((op) => [op, transport] as const),
  )
  it.each(writes)('%s over %s', async (operation, transport) => {
    const expected: Record<string, string> = {}
    const actual: Record<string, string> = {}
    for (const actor of ACTORS) {
      expected[actor] = expectedWrite(policy, policy.rules[operation][actor], operation)
      actual[actor] = await writeAs(policy, actor, transport, operation)
    }
    expect(actual).toEqual(expected)
  })
})

// ---------------------------------------------------------------------------------------------
// Custom endpoints: each runner makes what its request needs, sends it as the actor, returns the status.

const coupon = async (): Promise<Doc> =>
  local.create({ collection: 'coupons', data: { code: `CART${next()}`, type: 'percent', value: 10 } })

const cartOf = async (user: Id): Promise<Doc | undefined> =>
  (await local.find({ collection: 'carts', where: { customer: { equals: user } }, depth: 0 })).docs[0]

const itemsIn = async (user: Id): Promise<unknown[]> =>
  ((await cartOf(user))?.items as unknown[] | undefined) ?? []

async function withItem(actor: Actor): Promise<void> {
  if (actor === 'anonymous') return
  await freshCart(users[actor].id)
}

async function savePreference(actor: Exclude<Actor, 'anonymous'>, key: string): Promise<void> {
  await local.create({
    collection: 'payload-preferences',
    data: { key, user: { relationTo: 'users', value: users[actor].id }, value: { open: true } },
    user: users[actor],
  })
}

/** Runs one request as the actor and checks what must hold afterwards; answers the status. */
type Runner = (actor: Actor) => Promise<number>

const signedEvent = () => {
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

const RUNNERS: Record<string, Runner> = {
  'GET /api/carts/mine': async (actor) => {
    await freshCart(users.customer.id)
    const res = await rest<{ id?: Id }>(actor, '/api/carts/mine')
    if (res.status === 200) {
      const own = await cartOf(users[actor as Exclude<Actor, 'anonymous'>].id)
      expect(String(res.body.id)).toBe(String(own?.id))
    }
    return res.status
  },
  'POST /api/carts/mine/items': async (actor) => {
    await local.delete({ collection: 'carts', where: { customer: { equals: users.customer.id } } })
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
    const res = await rest(actor, `/api/carts/mine/items/${shelfProduct.id}`, { method: 'DELETE' })
    expect((await itemsIn(users.customer.id)).length).toBe(actor === 'customer' ? 0 : 1)
    return res.status
  },
  'DELETE /api/carts/mine': async (actor) => {
    await freshCart(users.customer.id)
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
    const res = await rest<{ order?: { customer: Id } }>(actor, '/api/checkout', {
      json: { paymentMethod: 'cod', shippingAddress: ADDRESS },
    })
    if (res.status === 201 && actor !== 'anonymous')
      expect(String(res.body.order?.customer)).toBe(String(users[actor].id))
    return res.status
  },
  'POST /api/orders/:id/cancel': async (actor) => {
    const order = await pendingOrder(users.customer.id)
    const res = await rest(actor, `/api/orders/${order.id}/cancel`, { method: 'POST' })
    const after = await local.findByID({ collection: 'orders', id: order.id, depth: 0 })
    expect(after?.status).toBe(res.status === 200 ? 'cancelled' : 'pending')
    return res.status
  },
  'POST /api/notifications/broadcast': async (actor) =>
    (await rest(actor, '/api/notifications/broadcast', { json: { message: 'Maintenance at noon' } })).status,
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
  'GET /api/users/me': async (actor) => {
    const res = await rest<{ user: Doc | null }>(actor, '/api/users/me')
    if (actor === 'anonymous') expect(res.body.user).toBeNull()
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
    if (actor !== 'anonymous') await savePreference(actor, key)
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
    if (actor !== 'anonymous') await savePreference(actor, key)
    const res = await rest(actor, `/api/payload-preferences/${key}`, { method: 'DELETE' })
    const left = await local.find({ collection: 'payload-preferences', where: { key: { equals: key } } })
    expect(left.docs.length).toBe(actor === 'anonymous' || res.status === 200 ? 0 : 1)
    if (actor === 'admin') {
      const unknown = await rest(actor, `/api/payload-preferences/missing-${next()}`, { method: 'DELETE' })
      expect(unknown.status).toBe(404)
    }
    return res.status
  },
  'GET /api/payload-migrations': async (actor) => (await rest(actor, '/api/payload-migrations')).status,
}

function runnerOf(key: string): Runner {
  const runner = RUNNERS[key]
  if (!runner) throw new Error(`no runner for ${key}`)
  return runner
}

const endpointKey = (endpoint: EndpointPolicy): string => {
  const plain = `${endpoint.method} ${endpoint.path}`
  return RUNNERS[plain] ? plain : `${plain} (${endpoint.what})`
}

describe('custom endpoints', () => {
  it('every endpoint of the matrix has a runner', () => {
    expect(ENDPOINTS.map(endpointKey).filter((key) => !RUNNERS[key])).toEqual([])
  })

  it.each(ENDPOINTS.map((endpoint) => [endpointKey(endpoint), endpoint] as const))(
    '%s',
    async (key, endpoint) => {
      const expected: Record<string, number> = {}
      const actual: Record<string, number> = {}
      for (const actor of ACTORS) {
        expected[actor] = endpoint.expect[actor].status
        actual[actor] = await runnerOf(key)(actor)
      }
      expect(actual).toEqual(expected)
    },
  )
})

// ---------------------------------------------------------------------------------------------

type UserDoc = Doc & { email: string; roles: string[] }
type MediaDoc = Doc & {
  filename: string
  private: boolean
  owner: Id | { id: Id } | null
  sizes: Record<string, { filename: string | null }>
}
const idOf = (value: Id | { id: Id } | null | undefined): string =>
  String(typeof value === 'object' && value !== null ? value.id : value)

describe('field-level rules', () => {
  it('registration never grants roles or verification, over REST or GraphQL', async () => {
    const email = uniqueEmail('climber')
    const res = await rest('anonymous', '/api/users', {
      json: { email, password: 'climb-pass-123', roles: ['admin'] },
    })
    expect(res.status).toBe(403)
    const viaGraphql = await graphql(
      'anonymous',
      'mutation($data: mutationUserInput!) { createUser(data: $data) { id } }',
      {
        data: { email, password: 'climb-pass-123', roles: ['admin'] },
      },
    )
    expect(viaGraphql.status).toBe(403)
    const verified = await rest('anonymous', '/api/users', {
      json: { email, password: 'climb-pass-123', _verified: true },
    })
    expect(verified.status).toBe(403)
    expect((await local.find({ collection: 'users', where: { email: { equals: email } } })).docs).toEqual([])
  })

  it.each([
    ['roles', { roles: ['admin'] }],
    ['_verified', { _verified: false }],
    ['lockUntil', { lockUntil: new Date(Date.now() + 600_000).toISOString() }],
    ['resetPasswordToken', { resetPasswordToken: 'chosen' }],
  ])('a customer cannot set their own %s', async (_field, data) => {
    const before = await local.findByID({
      collection: 'users',
      id: users.customer.id,
      showHiddenFields: true,
    })
    const res = await rest('customer', `/api/users/${users.customer.id}`, { method: 'PATCH', json: data })
    expect(res.status).toBe(403)
    const viaGraphql = await graphql(
      'customer',
      `mutation($data: mutationUserUpdateInput!) { updateUser(id: ${literal(users.customer.id)}, data: $data) { id } }`,
      { data },
    )
    expect(viaGraphql.status).toBeGreaterThanOrEqual(400)
    const after = await local.findByID({ collection: 'users', id: users.customer.id, showHiddenFields: true })
    expect(after).toEqual(before)
  })

  it('an admin can grant admin', async () => {
    const user = await freshCustomer()
    const res = await rest<{ doc: UserDoc }>('admin', `/api/users/${user.id}`, {
      method: 'PATCH',
      json: { roles: ['admin', 'customer'] },
    })
    expect(res.status).toBe(200)
    expect(res.body.doc.roles).toEqual(['admin', 'customer'])
  })

  it("a customer's upload is theirs and private whatever they send, and stays so", async () => {
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), `avatar-${next()}.png`)
    form.append('_payload', JSON.stringify({ alt: 'me', owner: users.otherCustomer.id, private: false }))
    const res = await rest<{ doc: MediaDoc }>('customer', '/api/media', { method: 'POST', body: form })
    expect(res.status).toBe(201)
    expect(idOf(res.body.doc.owner)).toBe(String(users.customer.id))
    expect(res.body.doc.private).toBe(true)

    const patched = await rest<{ doc: MediaDoc }>('customer', `/api/media/${res.body.doc.id}`, {
      method: 'PATCH',
      json: { private: false, owner: users.otherCustomer.id, alt: 'still me' },
    })
    expect(patched.status).toBe(200)
    const after = (await local.findByID({ collection: 'media', id: res.body.doc.id, depth: 0 })) as MediaDoc
    expect(after.alt).toBe('still me')
    expect(after.private).toBe(true)
    expect(idOf(after.owner)).toBe(String(users.customer.id))
  })

  it('a private file and its resized variants are served to the owner and admins only', async () => {
    const doc = (await fixtureOf('media').make('private', 'customer', 'read')) as MediaDoc
    const thumbnail = doc.sizes.thumbnail?.filename
    expect(thumbnail).toBeTruthy()
    const statuses: Record<string, number[]> = {}
    for (const actor of ACTORS) {
      statuses[actor] = [
        (await rest(actor, `/api/media/file/${doc.filename}`)).status,
        (await rest(actor, `/api/media/file/${thumbnail}`)).status,
      ]
    }
    expect(statuses).toEqual({
      anonymous: [403, 403],
      customer: [200, 200],
      otherCustomer: [403, 403],
      admin: [200, 200],
    })
    const publicDoc = (await fixtureOf('media').make('public', 'admin', 'read')) as MediaDoc
    expect((await rest('anonymous', `/api/media/file/${publicDoc.filename}`)).status).toBe(200)
  })

  it("a customer's avatar can only be one of their own uploads", async () => {
    const theirs = await fixtureOf('media').make('public', 'admin', 'read')
    const own = await fixtureOf('media').make('private', 'customer', 'read')
    const refused = await rest('customer', `/api/users/${users.customer.id}`, {
      method: 'PATCH',
      json: { avatar: theirs.id },
    })
    expect(refused.status).toBe(400)
    const accepted = await rest<{ doc: { avatar: Id | { id: Id } } }>(
      'customer',
      `/api/users/${users.customer.id}`,
      {
        method: 'PATCH',
        json: { avatar: own.id },
      },
    )
    expect(accepted.status).toBe(200)
    expect(idOf(accepted.body.doc.avatar)).toBe(String(own.id))
  })

  it('an admin changes an order\u2019s status only: the snapshot fields are ignored', async () => {
    const order = await pendingOrder(users.customer.id)
    const res = await rest<{ doc: Doc }>('admin', `/api/orders/${order.id}`, {
      method: 'PATCH',
      json: {
        status: 'processing',
        total: 1,
        customer: users.otherCustomer.id,
        paymentStatus: 'paid',
        items: [],
      },
    })
    expect(res.status).toBe(200)
    const after = await local.findByID({ collection: 'orders', id: order.id, depth: 0 })
    expect(after).toMatchObject({ status: 'processing', total: 1999, paymentStatus: 'unpaid' })
    expect(String(after?.customer)).toBe(String(users.customer.id))
    expect((after?.items as unknown[]).length).toBe(1)
  })

  it('cart and checkout never take a price, a total or an owner from the client', async () => {
    await freshCart(users.customer.id)
    const priced = await rest('customer', '/api/carts/mine/items', {
      json: { product: shelfProduct.id, quantity: 1, unitPrice: 1 },
    })
    expect(priced.status).toBe(400)
    const owned = await rest('customer', '/api/carts/mine/items', {
      json: { product: shelfProduct.id, quantity: 1, customer: users.otherCustomer.id },
    })
    expect(owned.status).toBe(400)
    const before = (await local.count({ collection: 'orders' })).totalDocs
    for (const extra of [{ total: 1 }, { customer: users.otherCustomer.id }, { items: [] }]) {
      const res = await rest('customer', '/api/checkout', {
        json: { paymentMethod: 'cod', shippingAddress: ADDRESS, ...extra },
      })
      expect(res.status).toBe(400)
    }
    expect((await local.count({ collection: 'orders' })).totalDocs).toBe(before)
  })

  it("a coupon's usedCount cannot be set on create", async () => {
    const res = await rest<{ doc: Doc }>('admin', '/api/coupons', {
      json: { code: `SET${next()}`, type: 'percent', value: 10, usedCount: 50 },
    })
    expect(res.status).toBe(201)
    expect(res.body.doc.usedCount).toBe(0)
  })

  it("a customer's own order, populated deeply, does not reveal who else touched it", async () => {
    const order = await pendingOrder(users.customer.id, [
      { from: null, to: 'pending', by: users.admin.id, at: new Date().toISOString() },
    ])
    const rested = await rest('customer', `/api/orders/${order.id}?depth=3`)
    expect(rested.status).toBe(200)
    expect(rested.text).not.toContain(accounts.admin.email)
    const viaGraphql = await rest('customer', '/api/graphql', {
      json: { query: `{ Order(id: ${literal(order.id)}) { statusHistory { by { id email } } } }` },
    })
    expect(viaGraphql.text).not.toContain(accounts.admin.email)
  })
})

// Last: everything answered above, to anyone, is checked for what must never be in it.
describe('nothing leaks', () => {
  it('hidden auth fields never appear in any answer', async () => {
    // Admins' reads of every account too, the widest view there is.
    await rest('admin', '/api/users?limit=1000&depth=2')
    await rest('admin', '/api/users/me')
    // Populated accounts: an order's customer and statusHistory.by, a file's owner.
    await rest('admin', '/api/orders?limit=1000&depth=3')
    await rest('admin', '/api/media?limit=1000&depth=2')
    await rest('customer', '/api/orders?limit=1000&depth=3')
    await rest('admin', '/api/graphql', {
      json: { query: '{ Users(limit: 1000) { docs { id email roles } } }' },
    })
    const keys = HIDDEN_USER_FIELDS.map((field) => `"${field}":`)
    const leaks = answers.filter(({ text }) => keys.some((key) => text.includes(key)))
    expect(leaks.map(({ actor, text }) => `${actor}: ${text.slice(0, 200)}`)).toEqual([])

    const secrets = (
      await local.find({ collection: 'users', limit: 1000, depth: 0, showHiddenFields: true })
    ).docs.flatMap((user) =>
      [user.hash, user.salt, user._verificationToken].filter((value) => typeof value === 'string'),
    )
    expect(secrets.length).toBeGreaterThan(0)
    expect(answers.filter(({ text }) => secrets.some((secret) => text.includes(String(secret)))).length).toBe(
      0,
    )
  })

  it('no answer carries a login session, not even to its own account', async () => {
    const everyone = await local.find({ collection: 'users', limit: 1000, depth: 0 })
    const sessions = everyone.docs.flatMap((user) =>
      ((user.sessions as { id: string }[] | undefined) ?? []).map((session) => ({
        owner: user.id,
        id: session.id,
      })),
    )
    expect(sessions.length).toBeGreaterThan(0)
    const leaks = answers.flatMap(({ actor, text }) =>
      sessions
        .filter((session) => text.includes(session.id))
        .map((session) => `${actor} saw a session of user ${session.owner}`),
    )
    expect([...new Set(leaks)]).toEqual([])
  })

  it("nobody but an admin ever got another account's email", () => {
    const emails: Record<Exclude<Actor, 'anonymous'>, string> = {
      customer: accounts.customer.email,
      otherCustomer: accounts.otherCustomer.email,
      admin: accounts.admin.email,
    }
    const leaks = answers.flatMap(({ actor, text }) =>
      actor === 'admin'
        ? []
        : Object.entries(emails)
            .filter(([owner, email]) => owner !== actor && text.includes(email))
            .map(([owner]) => `${actor} saw ${owner}'s email`),
    )
    expect([...new Set(leaks)]).toEqual([])
    expect(answers.length).toBeGreaterThan(500)
  })
})

describe('docs/SECURITY.md', () => {
  it('is the rendered matrix (run `npm run docs:security` after changing src/access/matrix.ts)', () => {
    expect(readFileSync(path.join(root, 'docs/SECURITY.md'), 'utf8')).toBe(renderSecurityDoc())
  })
})
