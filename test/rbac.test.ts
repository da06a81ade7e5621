import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { uniqueEmail } from './helpers/users'
import {
  answers,
  graphql,
  local,
  rest,
  shelfProduct,
  startRbacServer,
  stopRbacServer,
  users,
} from './rbac/context'
import type { Doc, Id } from './rbac/context'
import {
  TRANSPORTS,
  byIdOver,
  expectedCreate,
  expectedRead,
  expectedWrite,
  literal,
  variantsOf,
} from './rbac/expectations'
import { fixtureOf } from './rbac/fixtures'
import { ACTORS, COLLECTIONS, ENDPOINTS, HIDDEN_USER_FIELDS } from './rbac/matrix'
import { createAs, readAs, writeAs } from './rbac/operations'
import { RUNNERS, endpointKey, runnerOf } from './rbac/runners'
import { renderSecurityDoc } from './rbac/securityDoc'
import { ADDRESS } from './helpers/shop'
import type { Member } from './rbac/matrix'
import { accounts, freshCart, freshCustomer, image, next, pendingOrder } from './rbac/context'

// Every cell of test/rbac/matrix.ts, against the real server, over REST and GraphQL, with real
// accounts and documents made for each case (a fresh one wherever a cell changes something):
// rbac/fixtures.ts makes the documents, rbac/operations.ts and rbac/runners.ts send the requests,
// rbac/expectations.ts says what the matrix predicts.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// Booting (a schema push on PostgreSQL) and three real sign-ups: slow on a loaded machine.
beforeAll(startRbacServer, 180_000)
afterAll(stopRbacServer)

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
      cartHolder: [403, 403],
      orderHolder: [403, 403],
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

  it("no answer carries a guest token's stored hash, not even to an admin", async () => {
    const hashes = [
      ...(await local.find({ collection: 'carts', limit: 1000, depth: 0, showHiddenFields: true })).docs.map(
        (cart) => cart.tokenHash,
      ),
      ...(await local.find({ collection: 'orders', limit: 1000, depth: 0, showHiddenFields: true })).docs.map(
        (order) => order.orderTokenHash,
      ),
    ].filter((hash): hash is string => typeof hash === 'string' && /^[a-f0-9]{64}$/.test(hash))
    expect(hashes.length).toBeGreaterThan(0)
    const leaks = answers.filter(({ text }) => hashes.some((hash) => text.includes(hash)))
    expect(leaks.map(({ actor }) => actor)).toEqual([])
  })

  it("nobody but an admin ever got another account's email", () => {
    const emails: Record<Member, string> = {
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
  it('is the rendered matrix (run `npm run docs:security` after changing test/rbac/matrix.ts)', () => {
    expect(readFileSync(path.join(root, 'docs/SECURITY.md'), 'utf8')).toBe(renderSecurityDoc())
  })
})
