import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { commitTransaction, createLocalReq, initTransaction, killTransaction } from 'payload'
import sharp from 'sharp'

import { countReads } from './helpers/cache'
import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { STOREFRONT } from './helpers/store/env'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { addToCart, checkoutCod } from './helpers/shop'
import { firstAdmin, verifiedCustomer } from './helpers/users'
import type { Account } from './helpers/users'

// The in-process cache (no REDIS_URL); test/cache-redis.test.ts runs the Redis-backed one.

let server: TestServer
let api: Api
let admin: Account
let customer: Account
let reads: { readonly count: number }

type List = { docs: Doc[]; totalDocs: number }

beforeAll(async () => {
  server = await startTestServer({ REDIS_URL: undefined, CORS_ORIGINS: STOREFRONT })
  api = client(server.url)
  admin = await firstAdmin(api)
  customer = await verifiedCustomer(api, server.mailbox)
  reads = countReads(server.payload, 'products')
})

afterAll(async () => {
  await server?.stop()
})

const cacheState = async (path: string, token?: string): Promise<string | null> =>
  (await api(path, { token })).headers.get('x-cache')

describe('hits, misses and bypass', () => {
  it('answers a repeated anonymous read from the cache, without Payload', async () => {
    await create(api, admin.token, 'products', product({ title: 'Cached lamp' }))
    const first = await api<List>('/api/products?limit=5&sort=price')
    expect(first.headers.get('x-cache')).toBe('MISS')
    const before = reads.count
    const second = await api<List>('/api/products?limit=5&sort=price')
    expect(second.headers.get('x-cache')).toBe('HIT')
    expect(second.text).toBe(first.text)
    expect(second.headers.get('content-type')).toContain('application/json')
    expect(second.headers.get('x-content-type-options')).toBe('nosniff')
    expect(second.headers.get('x-request-id')).toBeTruthy()
    expect(reads.count).toBe(before)
  })

  it('answers a hit with the same per-request headers as any other answer', async () => {
    await api('/api/brands?limit=3&depth=0')
    const plain = await api('/api/brands?limit=3&depth=0', { headers: { 'X-Request-Id': 'trace-42' } })
    expect(plain.headers.get('x-cache')).toBe('HIT')
    expect(plain.headers.get('x-request-id')).toBe('trace-42')
    expect(plain.headers.get('access-control-allow-origin')).toBeNull()
    expect(plain.headers.get('vary')).toBe('Origin, Authorization, Cookie')
    expect(Number(plain.headers.get('content-length'))).toBe(Buffer.byteLength(plain.text))

    const bogusId = await api('/api/brands?limit=3&depth=0', {
      headers: { 'X-Request-Id': 'no spaces allowed' },
    })
    expect(bogusId.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)

    const browser = await api('/api/brands?limit=3&depth=0', { headers: { Origin: STOREFRONT } })
    expect(browser.headers.get('x-cache')).toBe('HIT')
    expect(browser.headers.get('access-control-allow-origin')).toBe(STOREFRONT)
    expect(browser.headers.get('access-control-allow-credentials')).toBe('true')
    expect(browser.headers.get('x-request-id')).toBeTruthy()
    expect(browser.text).toBe(plain.text)

    const stranger = await api('/api/brands?limit=3&depth=0', { headers: { Origin: 'http://evil.test' } })
    expect(stranger.headers.get('x-cache')).toBe('HIT')
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()

    const head = await api('/api/brands?limit=3&depth=0', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('x-cache')).toBe('HIT')
    expect(head.headers.get('content-length')).toBe(plain.headers.get('content-length'))
    expect(head.text).toBe('')
  })

  it('answers HEAD like GET, from the GET entry, without storing an empty one', async () => {
    const head = await api('/api/categories?limit=2', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('x-cache')).toBe('MISS')
    expect(head.text).toBe('')
    const get = await api<List>('/api/categories?limit=2')
    expect(get.headers.get('x-cache')).toBe('MISS')
    expect(get.body.docs).toBeDefined()
    const again = await api('/api/categories?limit=2', { method: 'HEAD' })
    expect(again.headers.get('x-cache')).toBe('HIT')
    expect(Number(again.headers.get('content-length'))).toBe(Buffer.byteLength(get.text))
    const uncachedHead = await api('/api/users/me', { method: 'HEAD', token: customer.token })
    expect(uncachedHead.status).toBe(200)
  })

  it('ignores the order of query parameters', async () => {
    expect(await cacheState('/api/products?depth=0&limit=3&sort=-price')).toBe('MISS')
    expect(await cacheState('/api/products?sort=-price&limit=3&depth=0')).toBe('HIT')
    expect(await cacheState('/api/products?limit=3&depth=0&sort=-price')).toBe('HIT')
    expect(await cacheState('/api/products?limit=3&depth=0&sort=price')).toBe('MISS')
  })

  it('keeps customers apart from anonymous readers and never caches for admins', async () => {
    expect(await cacheState('/api/brands?limit=7')).toBe('MISS')
    expect(await cacheState('/api/brands?limit=7', customer.token)).toBe('MISS')
    expect(await cacheState('/api/brands?limit=7', customer.token)).toBe('HIT')
    expect(await cacheState('/api/brands?limit=7', admin.token)).toBe('BYPASS')
    expect(await cacheState('/api/brands?limit=7', admin.token)).toBe('BYPASS')
    expect(await cacheState('/api/brands?limit=7', 'forged.token.value')).toBe('HIT')
  })

  it('does not cache errors, other routes or writes', async () => {
    expect(await cacheState('/api/products/999999')).toBe('MISS')
    expect(await cacheState('/api/products/999999')).toBe('MISS')
    expect(await cacheState('/api/health')).toBeNull()
    expect(await cacheState('/api/users/me')).toBeNull()
  })

  it('never hands an admin answer (drafts) to anyone else', async () => {
    const draft = await create(
      api,
      admin.token,
      'products',
      product({ title: 'Unreleased', status: 'draft' }),
    )
    const path = `/api/products/${draft.id}`
    expect((await api(path, { token: admin.token })).status).toBe(200)
    const anonymous = await api(path)
    expect(anonymous.status).toBe(404)
    expect(anonymous.headers.get('x-cache')).toBe('MISS')
    const list = await api<List>('/api/products?limit=100&where[title][equals]=Unreleased')
    expect(list.body.docs).toEqual([])
  })
})

describe('one request fills a missing key', () => {
  it('20 concurrent reads of a cold key cost one Payload read', async () => {
    const before = reads.count
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api<List>('/api/products?limit=2&sort=title&depth=1')),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1)
    expect(answers.filter((answer) => answer.headers.get('x-cache') === 'MISS')).toHaveLength(1)
    expect(reads.count - before).toBe(1)
  })
})

describe('writes invalidate at once', () => {
  let doc: Doc
  const path = () => `/api/products/${doc.id}?depth=1`

  beforeAll(async () => {
    doc = await create(api, admin.token, 'products', product({ title: 'Before' }))
  })

  const warm = async (url: string): Promise<void> => {
    await api(url)
    expect(await cacheState(url)).toBe('HIT')
  }

  it('update', async () => {
    await warm(path())
    await api(`/api/products/${doc.id}`, { method: 'PATCH', token: admin.token, json: { title: 'After' } })
    const next = await api<Doc>(path())
    expect(next.headers.get('x-cache')).toBe('MISS')
    expect(next.body.title).toBe('After')
  })

  it('stock change', async () => {
    await warm(path())
    await api(`/api/products/${doc.id}`, { method: 'PATCH', token: admin.token, json: { stock: 3 } })
    expect((await api<Doc>(path())).body.stock).toBe(3)
  })

  it('a checkout and a cancellation show in product answers at once; brands and categories stay cached', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Bought lamp', stock: 5 }))
    const url = `/api/products/${item.id}`
    const list = '/api/products?limit=100&where[title][equals]=Bought%20lamp'
    for (const warmed of [url, list, '/api/brands?limit=3', '/api/categories?limit=3']) await warm(warmed)

    expect((await addToCart(api, customer.token, item.id, 2)).status).toBe(200)
    const placed = await checkoutCod(api, customer.token)
    expect(placed.status).toBe(201)
    expect((await api<Doc>(url)).body.stock).toBe(3)
    expect((await api<List>(list)).body.docs[0]?.stock).toBe(3)
    // Stock is all a checkout changes, and no brand or category answer shows it.
    expect(await cacheState('/api/brands?limit=3')).toBe('HIT')
    expect(await cacheState('/api/categories?limit=3')).toBe('HIT')

    await warm(url)
    const cancelled = await api(`/api/orders/${placed.body.order.id}/cancel`, {
      method: 'POST',
      token: customer.token,
    })
    expect(cancelled.status).toBe(200)
    expect((await api<Doc>(url)).body.stock).toBe(5)
  })

  it('a checkout and a cancellation leave product answers cached, showing the stock they left', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Overlaid lamp', stock: 5 }))
    const url = `/api/products/${item.id}`
    const list = '/api/products?limit=100&depth=1&where[title][equals]=Overlaid%20lamp'
    for (const warmed of [url, list]) await warm(warmed)

    expect((await addToCart(api, customer.token, item.id, 2)).status).toBe(200)
    const placed = await checkoutCod(api, customer.token)
    expect(placed.status).toBe(201)
    const single = await api<Doc>(url)
    expect(single.headers.get('x-cache')).toBe('HIT')
    expect(single.body.stock).toBe(3)
    expect(Number(single.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify(single.body)))
    const listed = await api<List>(list)
    expect(listed.headers.get('x-cache')).toBe('HIT')
    expect(listed.body.docs[0]?.stock).toBe(3)

    const cancelled = await api(`/api/orders/${placed.body.order.id}/cancel`, {
      method: 'POST',
      token: customer.token,
    })
    expect(cancelled.status).toBe(200)
    for (const [path, stockOf] of [
      [url, (body: unknown) => (body as Doc).stock],
      [list, (body: unknown) => (body as List).docs[0]?.stock],
    ] as const) {
      const res = await api(path)
      expect(res.headers.get('x-cache')).toBe('HIT')
      expect(stockOf(res.body)).toBe(5)
    }
  })

  it('answers whose query involves stock are filled again after a checkout', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Counted lamp', stock: 1 }))
    const filtered =
      '/api/products?limit=100&where[title][equals]=Counted%20lamp&where[stock][greater_than]=0'
    const sorted = '/api/products?limit=100&where[title][equals]=Counted%20lamp&sort=-stock'
    for (const warmed of [filtered, sorted]) await warm(warmed)
    expect((await api<List>(filtered)).body.totalDocs).toBe(1)

    expect((await addToCart(api, customer.token, item.id, 1)).status).toBe(200)
    expect((await checkoutCod(api, customer.token)).status).toBe(201)
    const gone = await api<List>(filtered)
    expect(gone.headers.get('x-cache')).toBe('MISS')
    expect(gone.body.totalDocs).toBe(0)
    const resorted = await api<List>(sorted)
    expect(resorted.headers.get('x-cache')).toBe('MISS')
    expect(resorted.body.docs[0]?.stock).toBe(0)
  })

  it('the stock revision moves with every stock change and cannot be written over the API', async () => {
    const item = await create(api, admin.token, 'products', {
      ...product({ title: 'Revised lamp', stock: 4 }),
      stockRevision: 40,
    })
    const url = `/api/products/${item.id}`
    expect((await api<Doc>(url)).body.stockRevision).toBe(0)
    await api(url, { method: 'PATCH', token: admin.token, json: { stockRevision: 7 } })
    expect((await api<Doc>(url)).body.stockRevision).toBe(0)
    await warm(url)
    await api(url, { method: 'PATCH', token: admin.token, json: { stock: 9 } })
    const after = await api<Doc>(url)
    expect(after.headers.get('x-cache')).toBe('MISS')
    expect(after.body).toMatchObject({ stock: 9, stockRevision: 1 })
  })

  it('create shows up in a cached list', async () => {
    const list = '/api/products?limit=100&where[title][like]=Fresh'
    await warm(list)
    await create(api, admin.token, 'products', product({ title: 'Fresh arrival' }))
    expect((await api<List>(list)).body.docs.map((entry) => entry.title)).toContain('Fresh arrival')
  })

  it('trash, restore and delete', async () => {
    await warm(path())
    await api(`/api/products/${doc.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
    expect((await api(path())).status).toBe(404)
    await warm('/api/products?limit=100&where[title][equals]=After')
    await api(`/api/products/${doc.id}?trash=true`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: null },
    })
    expect((await api(path())).status).toBe(200)
    expect((await api<List>('/api/products?limit=100&where[title][equals]=After')).body.totalDocs).toBe(1)
    await warm(path())
    await api(`/api/products/${doc.id}`, { method: 'DELETE', token: admin.token })
    expect((await api(path())).status).toBe(404)
  })

  it('a brand or category rename shows in populated products', async () => {
    const brand = await create(api, admin.token, 'brands', { name: 'Old brand' })
    const category = await create(api, admin.token, 'categories', { name: 'Old category' })
    const item = await create(
      api,
      admin.token,
      'products',
      product({ brand: brand.id, categories: [category.id] }),
    )
    const url = `/api/products/${item.id}?depth=1`
    await warm(url)
    await api(`/api/brands/${brand.id}`, { method: 'PATCH', token: admin.token, json: { name: 'New brand' } })
    expect(((await api<Doc>(url)).body.brand as Doc).name).toBe('New brand')
    await warm(url)
    await api(`/api/categories/${category.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { name: 'New category' },
    })
    expect(((await api<Doc>(url)).body.categories as Doc[])[0]?.name).toBe('New category')
  })

  const upload = async (method: string, target: string, colour: string) => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: colour } })
      .png()
      .toBuffer()
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `${colour.slice(1)}.png`)
    return api<{ doc: Doc }>(target, { method, token: admin.token, body: form })
  }

  it('a replaced image', async () => {
    const image = (await upload('POST', '/api/media', '#112233')).body.doc
    const item = await create(api, admin.token, 'products', product({ mainImage: image.id }))
    const url = `/api/products/${item.id}?depth=1`
    await warm(url)
    const replaced = await upload('PATCH', `/api/media/${image.id}`, '#445566')
    expect(replaced.status).toBe(200)
    const after = await api<Doc>(url)
    expect(after.headers.get('x-cache')).toBe('MISS')
    expect((after.body.mainImage as Doc).filename).toBe(replaced.body.doc.filename)
  })

  it('GraphQL mutations', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Via GraphQL' }))
    const url = `/api/products/${item.id}`
    await warm(url)
    const res = await api('/api/graphql', {
      token: admin.token,
      json: {
        query: `mutation { updateProduct(id: ${JSON.stringify(item.id)}, data: { title: "Changed by GraphQL" }) { title } }`,
      },
    })
    expect(res.status).toBe(200)
    expect((await api<Doc>(url)).body.title).toBe('Changed by GraphQL')
  })

  it('an image’s alt text and its deletion, through REST, GraphQL and the Local API', async () => {
    const image = (await upload('POST', '/api/media', '#778899')).body.doc
    const item = await create(api, admin.token, 'products', product({ mainImage: image.id }))
    const url = `/api/products/${item.id}?depth=1`
    const alt = async () => ((await api<Doc>(url)).body.mainImage as Doc).alt

    await warm(url)
    await api(`/api/media/${image.id}`, { method: 'PATCH', token: admin.token, json: { alt: 'By REST' } })
    expect(await alt()).toBe('By REST')
    await warm(url)
    const res = await api('/api/graphql', {
      token: admin.token,
      json: {
        query: `mutation { updateMedia(id: ${JSON.stringify(image.id)}, data: { alt: "By GraphQL" }) { alt } }`,
      },
    })
    expect(res.status).toBe(200)
    expect(await alt()).toBe('By GraphQL')
    // No HTTP request at all: only a hook on media can see this one.
    await warm(url)
    await server.payload.update({ collection: 'media', id: image.id, data: { alt: 'By the Local API' } })
    expect(await alt()).toBe('By the Local API')
    await warm(url)
    await server.payload.delete({ collection: 'media', id: image.id })
    const after = await api<Doc>(url)
    expect(after.headers.get('x-cache')).toBe('MISS')
    expect(after.body.mainImage ?? null).toBeNull()
  })

  it('Local API writes and bulk updates, trash and deletes', async () => {
    const brand = await create(api, admin.token, 'brands', { name: 'Local brand' })
    for (let i = 0; i < 2; i++) await create(api, admin.token, 'products', product({ brand: brand.id }))
    const where = `where[brand][equals]=${brand.id}`
    const list = `/api/products?limit=100&depth=1&${where}`
    const names = async () => (await api<List>(list)).body.docs.map((doc) => (doc.brand as Doc).name)

    await warm(list)
    await server.payload.update({ collection: 'brands', id: brand.id, data: { name: 'Renamed locally' } })
    expect(await names()).toEqual(['Renamed locally', 'Renamed locally'])
    await warm(list)
    const trashed = await api(`/api/products?${where}`, {
      method: 'PATCH',
      token: admin.token,
      json: { deletedAt: new Date().toISOString() },
    })
    expect(trashed.status).toBe(200)
    expect((await api<List>(list)).body.totalDocs).toBe(0)
    await warm(list)
    await server.payload.update({
      collection: 'products',
      where: { brand: { equals: brand.id } },
      data: { deletedAt: null },
      trash: true,
    })
    expect((await api<List>(list)).body.totalDocs).toBe(2)
    await warm(list)
    expect((await api(`/api/products?${where}`, { method: 'DELETE', token: admin.token })).status).toBe(200)
    expect((await api<List>(list)).body.totalDocs).toBe(0)
  })
})

// Needs transactions: SQLite runs without them here (README), so this is a PostgreSQL (and
// MongoDB) test; CI runs the suite on PostgreSQL too.
const withTransactions = /^(postgres|mongodb)/.test(process.env.TEST_DATABASE_URI ?? '')
;(withTransactions ? describe : describe.skip)('a write inside a transaction', () => {
  it('invalidates once it commits, so a read racing the commit cannot keep the old answer; a rollback leaves the cache alone', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Committed' }))
    const url = `/api/products/${item.id}`
    const write = async (title: string, finish: 'commit' | 'rollback') => {
      await api(url)
      expect(await cacheState(url)).toBe('HIT')
      const req = await createLocalReq({}, server.payload)
      expect(await initTransaction(req)).toBe(true)
      await server.payload.update({ collection: 'products', id: item.id, data: { title }, req })
      // A read between the write and its commit sees (and may cache) the old title.
      if (finish === 'commit') expect((await api<Doc>(url)).body.title).toBe('Committed')
      if (finish === 'commit') await commitTransaction(req)
      else await killTransaction(req)
    }

    await write('Rolled back', 'rollback')
    expect(await cacheState(url)).toBe('HIT')
    expect((await api<Doc>(url)).body.title).toBe('Committed')

    await write('Committed again', 'commit')
    const next = await api<Doc>(url)
    expect(next.headers.get('x-cache')).toBe('MISS')
    expect(next.body.title).toBe('Committed again')
  })
})
