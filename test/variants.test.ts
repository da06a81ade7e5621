import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, invalidPaths, product, uniqueSku } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

// Variants: the schema's rules, who sees which, and what product reads carry.

let server: TestServer
let api: Api
let admin: Account
let customer: Account

type List = { docs: Doc[]; totalDocs: number }
type Carried = {
  id: number | string
  title: string
  options: Record<string, string>
  sku: string
  price: number
  stock: number
}

const SIZE_COLOUR = [
  { name: 'Size', values: ['S', 'M', 'L'] },
  { name: 'Colour', values: ['Red', 'Blue'] },
]

beforeAll(async () => {
  server = await startTestServer({ REDIS_URL: undefined })
  api = client(server.url)
  admin = await firstAdmin(api)
  customer = await verifiedCustomer(api, server.mailbox)
})

afterAll(async () => {
  await server?.stop()
})

const shirt = (overrides: Record<string, unknown> = {}) =>
  create(api, admin.token, 'products', product({ options: SIZE_COLOUR, price: 2500, ...overrides }))

const variant = (
  productId: Doc['id'],
  options: Record<string, string>,
  overrides: Record<string, unknown> = {},
) =>
  api<{ doc: Doc }>('/api/variants', {
    token: admin.token,
    json: { product: productId, options, sku: uniqueSku('V'), stock: 5, status: 'published', ...overrides },
  })

const countVariants = async (productId: Doc['id']): Promise<number> =>
  (
    await server.payload.count({
      collection: 'variants',
      where: { product: { equals: productId } },
      trash: true,
    })
  ).totalDocs

describe('the schema', () => {
  it('derives the title from the options in the product order', async () => {
    const tee = await shirt()
    const made = await variant(tee.id, { Colour: 'Red', Size: 'M' })
    expect(made.status).toBe(201)
    expect(made.body.doc.title).toBe('M / Red')
    expect(made.body.doc.options).toEqual({ Colour: 'Red', Size: 'M' })
  })

  it('refuses unknown options and values, missing options and duplicates with 400, storing nothing', async () => {
    const tee = await shirt()
    await variant(tee.id, { Size: 'S', Colour: 'Red' })
    const cases: Record<string, unknown>[] = [
      { Size: 'XL', Colour: 'Red' },
      { Size: 'S' },
      { Size: 'S', Colour: 'Red', Material: 'Wool' },
      { Size: 'S', Colour: 'Red' },
      { Size: 1, Colour: 'Red' },
    ]
    for (const options of cases) {
      const res = await api('/api/variants', {
        token: admin.token,
        json: { product: tee.id, options, sku: uniqueSku('V'), stock: 1 },
      })
      expect(res.status).toBe(400)
      expect(invalidPaths(res.body)).toContain('options')
    }
    const plain = await create(api, admin.token, 'products', product())
    const onPlain = await variant(plain.id, { Size: 'S' })
    expect(onPlain.status).toBe(400)
    expect(await countVariants(tee.id)).toBe(1)
    expect(await countVariants(plain.id)).toBe(0)
  })

  it('keeps SKUs unique across products and variants', async () => {
    const tee = await shirt()
    const other = await create(api, admin.token, 'products', product())
    const clash = await variant(tee.id, { Size: 'S', Colour: 'Blue' }, { sku: other.sku })
    expect(clash.status).toBe(400)
    expect(invalidPaths(clash.body)).toContain('sku')
    const first = await variant(tee.id, { Size: 'S', Colour: 'Blue' })
    expect(first.status).toBe(201)
    const twice = await variant(tee.id, { Size: 'M', Colour: 'Blue' }, { sku: first.body.doc.sku })
    expect(twice.status).toBe(400)
    const productClash = await api('/api/products', {
      token: admin.token,
      json: product({ sku: first.body.doc.sku }),
    })
    expect(productClash.status).toBe(400)
    expect(invalidPaths(productClash.body)).toContain('sku')
    expect(await countVariants(tee.id)).toBe(1)
  })

  it('allows at most 3 options, each named once with distinct values', async () => {
    const four = ['A', 'B', 'C', 'D'].map((name) => ({ name, values: ['x'] }))
    for (const options of [
      four,
      [{ name: 'Size', values: ['S', 'S'] }],
      [{ name: 'Size', values: [] }],
      [
        { name: 'Size', values: ['S'] },
        { name: 'size', values: ['M'] },
      ],
    ]) {
      const res = await api('/api/products', { token: admin.token, json: product({ options }) })
      expect(res.status).toBe(400)
      expect(invalidPaths(res.body).some((path) => path.startsWith('options'))).toBe(true)
    }
  })

  it("keeps a product's options describing its variants", async () => {
    const tee = await shirt()
    await variant(tee.id, { Size: 'L', Colour: 'Blue' })
    const dropUsed = await api(`/api/products/${tee.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { options: [{ name: 'Size', values: ['S', 'M'] }, SIZE_COLOUR[1]] },
    })
    expect(dropUsed.status).toBe(400)
    const rename = await api(`/api/products/${tee.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { options: [{ name: 'Fit', values: ['S', 'M', 'L'] }, SIZE_COLOUR[1]] },
    })
    expect(rename.status).toBe(400)
    const addValue = await api(`/api/products/${tee.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: {
        options: [
          { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
          { name: 'Colour', values: ['Blue'] },
        ],
      },
    })
    expect(addValue.status).toBe(200)
  })

  it('keeps a variant with its product', async () => {
    const tee = await shirt()
    const other = await shirt()
    const made = await variant(tee.id, { Size: 'S', Colour: 'Red' })
    const move = await api(`/api/variants/${made.body.doc.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { product: other.id },
    })
    expect(move.status).toBe(400)
  })
})

describe('who sees which variants', () => {
  let tee: Doc
  let live: Doc
  let draft: Doc
  let trashed: Doc

  beforeAll(async () => {
    tee = await shirt()
    live = (await variant(tee.id, { Size: 'M', Colour: 'Blue' })).body.doc
    draft = (await variant(tee.id, { Size: 'S', Colour: 'Blue' }, { status: 'draft' })).body.doc
    trashed = (await variant(tee.id, { Size: 'L', Colour: 'Blue' })).body.doc
    await api(`/api/variants/${trashed.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
  })

  it('shows customers and anonymous readers only published, untrashed variants of published products', async () => {
    for (const token of [undefined, customer.token]) {
      const list = await api<List>(`/api/variants?where[product][equals]=${tee.id}&trash=true`, { token })
      expect(list.body.docs.map((doc) => doc.id)).toEqual([live.id])
      expect(list.body.docs[0]).not.toHaveProperty('combination')
      expect((await api(`/api/variants/${draft.id}`, { token })).status).toBe(404)
      expect((await api(`/api/variants/${trashed.id}?trash=true`, { token })).status).toBe(404)
    }
    const all = await api<List>(`/api/variants?where[product][equals]=${tee.id}&trash=true`, {
      token: admin.token,
    })
    expect(all.body.totalDocs).toBe(3)
  })

  it('hides every variant of a draft or trashed product', async () => {
    const hidden = await shirt({ status: 'draft' })
    const made = await variant(hidden.id, { Size: 'M', Colour: 'Red' })
    expect((await api(`/api/variants/${made.body.doc.id}`)).status).toBe(404)
    const gone = await shirt()
    const its = await variant(gone.id, { Size: 'M', Colour: 'Red' })
    await api(`/api/products/${gone.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
    expect((await api(`/api/variants/${its.body.doc.id}`)).status).toBe(404)
    const gql = await api<{ data: { Variants: { docs: { id: number | string }[] } } }>('/api/graphql', {
      json: {
        query: `{ Variants(where: { product: { in: [${gone.id}, ${hidden.id}] } }, trash: true) { docs { id } } }`,
      },
    })
    expect(gql.body.data.Variants.docs).toEqual([])
  })

  it('refuses variant writes from customers', async () => {
    const res = await api('/api/variants', {
      token: customer.token,
      json: { product: tee.id, options: { Size: 'S', Colour: 'Red' }, sku: uniqueSku(), stock: 1 },
    })
    expect(res.status).toBe(403)
    const patch = await api(`/api/variants/${live.id}`, {
      method: 'PATCH',
      token: customer.token,
      json: { stock: 99 },
    })
    expect(patch.status).toBe(403)
  })
})

describe('product reads carry the published variants', () => {
  it('in lists, single reads and GraphQL, in option order, with the effective price', async () => {
    const tee = await shirt({ title: 'Variant tee' })
    await variant(tee.id, { Size: 'L', Colour: 'Red' }, { price: 2900 })
    await variant(tee.id, { Size: 'S', Colour: 'Red' })
    await variant(tee.id, { Size: 'M', Colour: 'Red' }, { status: 'draft' })
    const single = await api<Doc & { variants: Carried[] }>(`/api/products/${tee.id}`)
    expect(single.body.variants.map((each) => [each.title, each.price])).toEqual([
      ['S / Red', 2500],
      ['L / Red', 2900],
    ])
    expect(single.body.options).toEqual(SIZE_COLOUR.map((option) => expect.objectContaining(option)))
    const list = await api<{ docs: (Doc & { variants: Carried[] })[] }>(
      `/api/products?where[id][equals]=${tee.id}`,
    )
    expect(list.body.docs[0]?.variants).toEqual(single.body.variants)
    const gql = await api<{ data: { Product: { variants: { title: string; stock: number }[] } } }>(
      '/api/graphql',
      {
        json: { query: `{ Product(id: ${tee.id}) { variants { title stock price sku options } } }` },
      },
    )
    expect(gql.body.data.Product.variants.map((each) => each.title)).toEqual(['S / Red', 'L / Red'])
    const plain = await create(api, admin.token, 'products', product())
    expect((await api<Doc>(`/api/products/${plain.id}`)).body.variants).toEqual([])
  })
})
