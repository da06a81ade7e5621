import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { addToCart } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// The address book: each customer's own (REST and GraphQL), ISO country codes, one default per
// customer however many requests set it at once, and checkout by addressId with the order
// keeping its own copy.

let server: TestServer
let api: Api
let admin: Account
let alice: Account
let bob: Account

type AddressDoc = {
  id: number | string
  customer: number | string | { id: number | string }
  name: string
  country: string
  region?: string | null
  isDefault: boolean
}
type OrderWithAddress = OrderView & { shippingAddress: Record<string, unknown> }

const HOME = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'gb',
}

beforeAll(async () => {
  server = await startTestServer()
  api = client(server.url)
  admin = await firstAdmin(api)
  ;[alice, bob] = (await customersViaLocalApi(server.payload, api, 2, 'book')) as [Account, Account]
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

const idOf = (value: AddressDoc['customer']) => String(typeof value === 'object' ? value.id : value)

async function addAddress(who: Account, body: Record<string, unknown> = {}): Promise<AddressDoc> {
  const res = await api<{ doc: AddressDoc } & Errors>('/api/addresses', {
    token: who.token,
    json: { ...HOME, ...body },
  })
  expect(res.status).toBe(201)
  return res.body.doc
}

const mine = async (who: Account) =>
  (await api<{ docs: AddressDoc[] }>('/api/addresses?limit=100', { token: who.token })).body.docs

describe('addresses', () => {
  it('belong to the customer who saves them, whatever the body says; countries are ISO 3166-1 alpha-2', async () => {
    const saved = await addAddress(alice, { customer: bob.id, region: 'Greater London' })
    expect(idOf(saved.customer)).toBe(String(alice.id))
    expect(saved).toMatchObject({ country: 'GB', region: 'Greater London' })
    for (const country of ['XX', 'GBR', 'uk', '', 12]) {
      const res = await api<Errors>('/api/addresses', { token: alice.token, json: { ...HOME, country } })
      expect(res.status).toBe(400)
    }
    expect((await api('/api/addresses', { json: HOME })).status).toBe(403)
    // An address is never moved to another customer.
    const moved = await api(`/api/addresses/${saved.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { customer: bob.id },
    })
    expect(moved.status).toBeLessThan(500)
    const after = await server.payload.findByID({ collection: 'addresses', id: saved.id, depth: 0 })
    expect(String(after.customer)).toBe(String(alice.id))
  })

  it("are out of another customer's reach, over REST and GraphQL", async () => {
    const own = await addAddress(alice, { name: 'Private place' })
    expect((await api(`/api/addresses/${own.id}`, { token: bob.token })).status).toBe(404)
    expect((await mine(bob)).map((a) => a.id)).not.toContain(own.id)
    const patched = await api(`/api/addresses/${own.id}`, {
      method: 'PATCH',
      token: bob.token,
      json: { name: 'Taken over' },
    })
    expect([403, 404]).toContain(patched.status)
    expect(
      (await api(`/api/addresses/${own.id}`, { method: 'DELETE', token: bob.token })).status,
    ).toBeGreaterThanOrEqual(403)
    const gql = (query: string, token: string) =>
      api<{ data?: Record<string, unknown> | null; errors?: unknown[] }>('/api/graphql', {
        token,
        json: { query },
      })
    const one = await gql(`{ Address(id: ${JSON.stringify(own.id)}) { id name } }`, bob.token)
    expect(one.body.data?.Address ?? null).toBeNull()
    const list = await gql('{ Addresses(limit: 100) { docs { id name } } }', bob.token)
    expect(JSON.stringify(list.body)).not.toContain('Private place')
    const update = await gql(
      `mutation { updateAddress(id: ${JSON.stringify(own.id)}, data: { name: "Taken" }) { id } }`,
      bob.token,
    )
    expect(update.body.errors?.length).toBeGreaterThan(0)
    const remove = await gql(`mutation { deleteAddress(id: ${JSON.stringify(own.id)}) { id } }`, bob.token)
    expect(remove.body.errors?.length).toBeGreaterThan(0)
    const still = await server.payload.findByID({ collection: 'addresses', id: own.id, depth: 0 })
    expect(still.name).toBe('Private place')
    // The owner reaches it both ways.
    const owner = await gql(`{ Address(id: ${JSON.stringify(own.id)}) { id name isDefault } }`, alice.token)
    expect(owner.body.data?.Address).toMatchObject({ name: 'Private place' })
  })

  it('one default per customer: the first address, then the last one made default', async () => {
    const [customer] = (await customersViaLocalApi(server.payload, api, 1, 'defaults')) as [Account]
    const first = await addAddress(customer)
    expect(first.isDefault).toBe(true)
    const second = await addAddress(customer, { isDefault: true })
    expect(second.isDefault).toBe(true)
    expect((await mine(customer)).filter((a) => a.isDefault).map((a) => a.id)).toEqual([second.id])
    const unset = await api<{ doc: AddressDoc }>(`/api/addresses/${second.id}`, {
      method: 'PATCH',
      token: customer.token,
      json: { isDefault: false },
    })
    expect(unset.body.doc.isDefault).toBe(false)
    expect((await mine(customer)).filter((a) => a.isDefault)).toHaveLength(0)
  })

  it('many addresses made default at once leave exactly one default', async () => {
    const [customer] = (await customersViaLocalApi(server.payload, api, 1, 'race')) as [Account]
    const book: AddressDoc[] = []
    for (let i = 0; i < 8; i++) book.push(await addAddress(customer, { name: `Place ${i}` }))
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(
        book.map((address) =>
          api(`/api/addresses/${address.id}`, {
            method: 'PATCH',
            token: customer.token,
            json: { isDefault: true },
          }),
        ),
      )
      expect(answers.map((answer) => answer.status)).toEqual(Array(book.length).fill(200))
      expect((await mine(customer)).filter((a) => a.isDefault)).toHaveLength(1)
    }
  }, 60_000)
})

describe('checkout with a saved address', () => {
  it('copies the address into the order; later edits leave the order as it was', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 1200 }))
    const address = await addAddress(alice, { name: 'Ship here', region: 'Greater London' })
    expect((await addToCart(api, alice.token, item.id, 1)).status).toBe(200)
    const res = await api<{ order: OrderWithAddress } & Errors>('/api/checkout', {
      token: alice.token,
      json: { paymentMethod: 'cod', addressId: address.id },
    })
    expect(res.status).toBe(201)
    expect(res.body.order.shippingAddress).toMatchObject({
      name: 'Ship here',
      country: 'GB',
      region: 'Greater London',
      city: 'London',
    })
    await api(`/api/addresses/${address.id}`, {
      method: 'PATCH',
      token: alice.token,
      json: { name: 'Moved' },
    })
    const order = (await api<OrderWithAddress>(`/api/orders/${res.body.order.id}`, { token: alice.token }))
      .body
    expect(order.shippingAddress.name).toBe('Ship here')
  })

  it("refuses another customer's address (404), both kinds of address at once or neither (400); the cart stays", async () => {
    const item = await create(api, admin.token, 'products', product({ price: 900 }))
    const hers = await addAddress(alice)
    expect((await addToCart(api, bob.token, item.id, 1)).status).toBe(200)
    const attempt = (json: Record<string, unknown>) =>
      api<Errors>('/api/checkout', { token: bob.token, json: { paymentMethod: 'cod', ...json } })
    expect((await attempt({ addressId: hers.id })).status).toBe(404)
    expect((await attempt({ addressId: 999999 })).status).toBe(404)
    expect((await attempt({ addressId: hers.id, shippingAddress: HOME })).status).toBe(400)
    expect((await attempt({})).status).toBe(400)
    expect((await attempt({ shippingAddress: { ...HOME, country: 'ZZ' } })).status).toBe(400)
    const cart = (await api<CartView>('/api/carts/mine', { token: bob.token })).body
    expect(cart.items).toHaveLength(1)
  })
})
