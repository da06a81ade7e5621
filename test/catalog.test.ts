import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, invalidPaths, product, uniqueSku } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

let server: TestServer
let api: Api
let admin: Account
let customer: Account

type List = { docs: Doc[]; totalDocs: number; page: number; totalPages: number }

beforeAll(async () => {
  server = await startTestServer()
  api = client(server.url)
  admin = await firstAdmin(api)
  customer = await verifiedCustomer(api, server.mailbox)
})

afterAll(async () => {
  await server?.stop()
})

const ids = (list: List): string[] => list.docs.map((doc) => String(doc.id)).sort()
const asId = (value: unknown): string =>
  String(value && typeof value === 'object' && 'id' in value ? (value as Doc).id : value)

describe('validation names the field and stores nothing', () => {
  it.each([
    [{ price: 19.99 }, 'price'],
    [{ price: -1 }, 'price'],
    [{ price: '1999' }, 'price'],
    [{ stock: -3 }, 'stock'],
    [{ stock: 1.5 }, 'stock'],
    [{ compareAtPrice: 1999 }, 'compareAtPrice'],
    [{ compareAtPrice: 1000 }, 'compareAtPrice'],
    [{ slug: 'Not A Slug!' }, 'slug'],
    [{ title: '' }, 'title'],
    [{ status: 'archived' }, 'status'],
    [{ title: 'x'.repeat(500) }, 'title'],
  ])('%j → 400 naming %s', async (overrides, field) => {
    const sku = uniqueSku('BAD')
    const res = await api('/api/products', { token: admin.token, json: product({ sku, ...overrides }) })
    expect(res.status).toBe(400)
    expect(invalidPaths(res.body)).toContain(field)
    const stored = await server.payload.find({
      collection: 'products',
      where: { sku: { equals: sku } },
      trash: true,
    })
    expect(stored.totalDocs).toBe(0)
  })

  it('refuses a duplicate sku and more than 10 sub images', async () => {
    const first = await create(api, admin.token, 'products', product())
    const dup = await api('/api/products', { token: admin.token, json: product({ sku: first.sku }) })
    expect(dup.status).toBe(400)
    expect(invalidPaths(dup.body)).toContain('sku')

    const form = new FormData()
    const { default: sharp } = await import('sharp')
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#aa3300' } })
      .png()
      .toBuffer()
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'dot.png')
    const image = await api<{ doc: Doc }>('/api/media', { method: 'POST', token: admin.token, body: form })
    expect(image.status).toBe(201)
    const many = await api('/api/products', {
      token: admin.token,
      json: product({ images: Array.from({ length: 11 }, () => image.body.doc.id) }),
    })
    expect(many.status).toBe(400)
    expect(invalidPaths(many.body)).toContain('images')
  })

  it('accepts a compareAtPrice above the price, also when only one of them changes', async () => {
    const doc = await create(api, admin.token, 'products', product({ price: 1000, compareAtPrice: 1500 }))
    const lower = await api(`/api/products/${doc.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { price: 1600 },
    })
    expect(lower.status).toBe(400)
    expect(invalidPaths(lower.body)).toContain('compareAtPrice')
    const ok = await api(`/api/products/${doc.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { price: 1200 },
    })
    expect(ok.status).toBe(200)
  })
})

describe('slugs', () => {
  it('are derived from the title, url-safe and unique; a given one is kept', async () => {
    const title = `Crème Brûlée Set ${Date.now()}`
    const first = await create(api, admin.token, 'products', product({ title }))
    const second = await create(api, admin.token, 'products', product({ title }))
    expect(first.slug).toMatch(/^creme-brulee-set-\d+$/)
    expect(second.slug).toBe(`${String(first.slug)}-2`)
    const given = await create(api, admin.token, 'products', product({ slug: `hand-picked-${Date.now()}` }))
    expect(given.slug).toMatch(/^hand-picked-\d+$/)
    const renamed = await api<{ doc: Doc }>(`/api/products/${first.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { title: 'Another title' },
    })
    expect(renamed.body.doc.slug).toBe(first.slug)
  })

  it('are unique for brands and categories too', async () => {
    const name = `Acme ${Date.now()}`
    const a = await create(api, admin.token, 'brands', { name })
    const b = await create(api, admin.token, 'brands', { name })
    expect(a.slug).not.toBe(b.slug)
    const dup = await api('/api/categories', { token: admin.token, json: { name: 'X', slug: a.slug } })
    expect(dup.status).toBe(201)
    const clash = await api('/api/categories', { token: admin.token, json: { name: 'Y', slug: a.slug } })
    expect(clash.status).toBe(400)
    expect(invalidPaths(clash.body)).toContain('slug')
  })
})

describe('category tree', () => {
  it('refuses cycles and unknown parents', async () => {
    const a = await create(api, admin.token, 'categories', { name: 'Cycle A' })
    const b = await create(api, admin.token, 'categories', { name: 'Cycle B', parent: a.id })
    const c = await create(api, admin.token, 'categories', { name: 'Cycle C', parent: b.id })
    for (const parent of [c.id, a.id]) {
      const res = await api(`/api/categories/${a.id}`, {
        method: 'PATCH',
        token: admin.token,
        json: { parent },
      })
      expect(res.status).toBe(400)
      expect(invalidPaths(res.body)).toContain('parent')
    }
    const unknown = await api('/api/categories', {
      token: admin.token,
      json: { name: 'Orphan', parent: 999999 },
    })
    expect(unknown.status).toBe(400)
    const stored = await server.payload.findByID({ collection: 'categories', id: a.id, depth: 0 })
    expect(stored.parent ?? null).toBeNull()
  })
})

describe('who may write', () => {
  it('refuses catalog writes by customers and anonymous callers', async () => {
    for (const token of [undefined, customer.token]) {
      const bodies: [string, Record<string, unknown>][] = [
        ['products', product()],
        ['brands', { name: 'Sneaky brand' }],
        ['categories', { name: 'Sneaky category' }],
      ]
      for (const [collection, body] of bodies) {
        const res = await api(`/api/${collection}`, { token, json: body })
        expect(res.status).toBe(403)
      }
    }
    const doc = await create(api, admin.token, 'products', product())
    const patch = await api(`/api/products/${doc.id}`, {
      method: 'PATCH',
      token: customer.token,
      json: { price: 1 },
    })
    expect([403, 404]).toContain(patch.status)
    const del = await api(`/api/products/${doc.id}`, { method: 'DELETE', token: customer.token })
    expect([403, 404]).toContain(del.status)
    expect((await server.payload.findByID({ collection: 'products', id: doc.id })).price).toBe(1999)
  })
})

describe('drafts and trash never reach customers', () => {
  let draft: Doc
  let trashed: Doc
  let visible: Doc
  let trashedCategory: Doc

  beforeAll(async () => {
    trashedCategory = await create(api, admin.token, 'categories', { name: 'Soon trashed' })
    const liveCategory = await create(api, admin.token, 'categories', { name: 'Live' })
    draft = await create(api, admin.token, 'products', product({ title: 'Secret draft', status: 'draft' }))
    trashed = await create(api, admin.token, 'products', product({ title: 'Trashed one' }))
    visible = await create(
      api,
      admin.token,
      'products',
      product({ title: 'Visible one', categories: [trashedCategory.id, liveCategory.id] }),
    )
    const trash = await api(`/api/products/${trashed.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
    expect(trash.status).toBe(200)
    const trashCategory = await api(`/api/categories/${trashedCategory.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
    expect(trashCategory.status).toBe(200)
  })

  const hidden = [() => draft, () => trashed]

  it('not by id', async () => {
    for (const token of [undefined, customer.token]) {
      for (const doc of hidden) expect((await api(`/api/products/${doc().id}`, { token })).status).toBe(404)
      expect((await api(`/api/products/${trashed.id}?trash=true`, { token })).status).toBe(404)
      expect((await api(`/api/categories/${trashedCategory.id}?trash=true`, { token })).status).toBe(404)
    }
    expect((await api(`/api/products/${draft.id}`, { token: admin.token })).status).toBe(200)
    expect((await api(`/api/products/${trashed.id}?trash=true`, { token: admin.token })).status).toBe(200)
  })

  it('not in lists, whatever the where clause', async () => {
    const queries = [
      '/api/products?limit=200',
      '/api/products?limit=200&trash=true',
      '/api/products?limit=200&trash=true&where[deletedAt][exists]=true',
      '/api/products?limit=200&where[status][equals]=draft',
      '/api/products?limit=200&where[or][0][status][equals]=draft&where[or][1][status][equals]=published',
      '/api/products?limit=200&where[status][not_equals]=published&trash=true',
      '/api/products?limit=200&draft=true',
    ]
    for (const token of [undefined, customer.token]) {
      for (const query of queries) {
        const res = await api<List>(query, { token })
        expect(res.status).toBe(200)
        const titles = res.body.docs.map((doc) => doc.title)
        expect(titles).not.toContain('Secret draft')
        expect(titles).not.toContain('Trashed one')
      }
      const categories = await api<List>('/api/categories?limit=200&trash=true', { token })
      expect(categories.status).toBe(200)
      expect(ids(categories.body)).not.toContain(String(trashedCategory.id))
    }
  })

  it('not through GraphQL', async () => {
    const query = `{
      Products(limit: 200, trash: true, where: { status: { equals: draft } }) { docs { title } }
      all: Products(limit: 200) { docs { title } }
      Product(id: ${JSON.stringify(draft.id)}) { title }
    }`
    const res = await api<{ data: { Products: { docs: Doc[] }; all: { docs: Doc[] }; Product: Doc | null } }>(
      '/api/graphql',
      { token: customer.token, json: { query } },
    )
    expect(res.status).toBe(200)
    expect(res.body.data.Products.docs).toEqual([])
    expect(res.body.data.all.docs.map((doc) => doc.title)).not.toContain('Secret draft')
    expect(res.body.data.Product).toBeNull()
  })

  it('not through populated relations, and a trashed category breaks nothing', async () => {
    const res = await api<Doc>(`/api/products/${visible.id}?depth=2`)
    expect(res.status).toBe(200)
    const categories = res.body.categories as unknown[]
    const names = categories.map((entry) =>
      entry && typeof entry === 'object' ? (entry as Doc).name : entry,
    )
    expect(names).toContain('Live')
    expect(names).not.toContain('Soon trashed')
    const asAdmin = await api<Doc>(`/api/products/${visible.id}?depth=1&trash=true`, { token: admin.token })
    expect(asAdmin.status).toBe(200)
  })

  it('restoring brings a product back unchanged', async () => {
    const before = await server.payload.findByID({ collection: 'products', id: trashed.id, trash: true })
    const restore = await api(`/api/products/${trashed.id}?trash=true`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: null },
    })
    expect(restore.status).toBe(200)
    const back = await api<Doc>(`/api/products/${trashed.id}`)
    expect(back.status).toBe(200)
    expect(back.body).toMatchObject({
      title: before.title,
      sku: before.sku,
      price: before.price,
      slug: before.slug,
    })
  })

  it('only admins delete permanently', async () => {
    const doomed = await create(api, admin.token, 'products', product())
    expect(
      (await api(`/api/products/${doomed.id}`, { method: 'DELETE', token: customer.token })).status,
    ).not.toBe(200)
    expect((await api(`/api/products/${doomed.id}`, { method: 'DELETE', token: admin.token })).status).toBe(
      200,
    )
    const gone = await server.payload.find({
      collection: 'products',
      where: { id: { equals: doomed.id } },
      trash: true,
    })
    expect(gone.totalDocs).toBe(0)
  })
})

describe('storefront queries', () => {
  let home: Doc
  let kitchen: Doc
  let cookware: Doc
  let garden: Doc
  let acme: Doc
  let globex: Doc
  const tag = `q${Date.now().toString(36)}`
  const made: Record<string, Doc> = {}

  beforeAll(async () => {
    home = await create(api, admin.token, 'categories', { name: `${tag} Home` })
    kitchen = await create(api, admin.token, 'categories', { name: `${tag} Kitchen`, parent: home.id })
    cookware = await create(api, admin.token, 'categories', { name: `${tag} Cookware`, parent: kitchen.id })
    garden = await create(api, admin.token, 'categories', { name: `${tag} Garden` })
    acme = await create(api, admin.token, 'brands', { name: `${tag} Acme` })
    globex = await create(api, admin.token, 'brands', { name: `${tag} Globex` })
    const specs: [string, number, Doc, Doc][] = [
      ['pan', 4500, cookware, acme],
      ['pot', 6500, cookware, globex],
      ['knife', 2500, kitchen, acme],
      ['sofa', 90000, home, globex],
      ['rake', 1500, garden, acme],
    ]
    for (const [name, price, category, brand] of specs) {
      made[name] = await create(
        api,
        admin.token,
        'products',
        product({
          title: `${tag} ${name}`,
          sku: `${tag}-${name}`.toUpperCase(),
          price,
          categories: [category.id],
          brand: brand.id,
        }),
      )
    }
  })

  const list = async (query: string): Promise<string[]> => {
    const res = await api<List>(`/api/products?limit=100&where[title][like]=${tag}&${query}`)
    expect(res.status).toBe(200)
    return res.body.docs.map((doc) => String(doc.title).replace(`${tag} `, ''))
  }

  it('filters by a category including its sub-categories', async () => {
    expect((await list(`where[allCategories][in]=${home.id}`)).sort()).toEqual([
      'knife',
      'pan',
      'pot',
      'sofa',
    ])
    expect((await list(`where[allCategories][in]=${kitchen.id}`)).sort()).toEqual(['knife', 'pan', 'pot'])
    expect((await list(`where[allCategories][in]=${cookware.id}`)).sort()).toEqual(['pan', 'pot'])
  })

  it('follows a category moved under another parent', async () => {
    const moved = await api(`/api/categories/${kitchen.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { parent: garden.id },
    })
    expect(moved.status).toBe(200)
    expect((await list(`where[allCategories][in]=${garden.id}`)).sort()).toEqual([
      'knife',
      'pan',
      'pot',
      'rake',
    ])
    expect(await list(`where[allCategories][in]=${home.id}`)).toEqual(['sofa'])
    await api(`/api/categories/${kitchen.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { parent: home.id },
    })
  })

  it('filters by brand and price range', async () => {
    expect((await list(`where[brand][equals]=${acme.id}`)).sort()).toEqual(['knife', 'pan', 'rake'])
    expect(
      (await list('where[price][greater_than_equal]=2500&where[price][less_than_equal]=6500')).sort(),
    ).toEqual(['knife', 'pan', 'pot'])
  })

  it('searches title or sku', async () => {
    const res = await api<List>(
      `/api/products?where[or][0][title][like]=${tag} sofa&where[or][1][sku][like]=${tag}-rake`.replace(
        / /g,
        '%20',
      ),
    )
    expect(res.body.docs.map((doc) => doc.title).sort()).toEqual([`${tag} rake`, `${tag} sofa`])
  })

  it('sorts by price or newest and paginates', async () => {
    expect(await list('sort=price')).toEqual(['rake', 'knife', 'pan', 'pot', 'sofa'])
    expect(await list('sort=-price')).toEqual(['sofa', 'pot', 'pan', 'knife', 'rake'])
    expect(await list('sort=-createdAt')).toEqual(['rake', 'sofa', 'knife', 'pot', 'pan'])
    const page2 = await api<List>(`/api/products?where[title][like]=${tag}&sort=price&limit=2&page=2`)
    expect(page2.body.docs.map((doc) => String(doc.title).replace(`${tag} `, ''))).toEqual(['pan', 'pot'])
    expect(page2.body.totalPages).toBe(3)
  })

  it('populates brand and categories for the storefront', async () => {
    const res = await api<Doc>(`/api/products/${made.pan?.id}?depth=1`)
    expect((res.body.brand as Doc).name).toBe(`${tag} Acme`)
    expect(asId((res.body.categories as unknown[])[0])).toBe(String(cookware.id))
  })
})
