import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import type { Category, Media, Product } from '../payload-types'
import { seedAdmin } from '../src/seed/admin'
import { seedCatalog } from '../src/seed/catalog'
import { seedShipping } from '../src/seed/shipping'
import type { CatalogSeedResult } from '../src/seed/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { login } from './helpers/users'

const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'store-seed-media-'))

type Counts = { brands: number; categories: number; products: number; media: number; files: number }

let server: TestServer
let api: Api
let first: CatalogSeedResult
let second: CatalogSeedResult
let afterFirst: Counts
let afterSecond: Counts
let products: Product[]

async function counts(): Promise<Counts> {
  const { payload } = server
  return {
    brands: (await payload.count({ collection: 'brands' })).totalDocs,
    categories: (await payload.count({ collection: 'categories', trash: true })).totalDocs,
    products: (await payload.count({ collection: 'products', trash: true })).totalDocs,
    media: (await payload.count({ collection: 'media' })).totalDocs,
    files: readdirSync(mediaDir).length,
  }
}

const media = (value: Product['mainImage'] | Media | number): Media | undefined =>
  value && typeof value === 'object' ? value : undefined

const idOf = (value: number | string | { id: number | string }): number | string =>
  typeof value === 'object' ? value.id : value

beforeAll(async () => {
  server = await startTestServer({ MEDIA_DIR: mediaDir })
  api = client(server.url)
  first = await seedCatalog(server.payload)
  afterFirst = await counts()
  second = await seedCatalog(server.payload)
  afterSecond = await counts()
  products = (await server.payload.find({ collection: 'products', pagination: false, depth: 1 })).docs
}, 300_000)

afterAll(async () => {
  await server?.stop()
  rmSync(mediaDir, { recursive: true, force: true })
})

describe('the demo catalog', () => {
  it('has brands, a category tree, products and their images', () => {
    expect(first.brands).toBeGreaterThanOrEqual(4)
    expect(first.brands).toBeLessThanOrEqual(6)
    expect(first.categories).toBeGreaterThanOrEqual(8)
    expect(first.products).toBeGreaterThanOrEqual(50)
    expect(first.images).toBeGreaterThanOrEqual(first.products + first.brands)
    // A fresh database: everything there was created by the first run.
    expect(afterFirst).toMatchObject({
      brands: first.brands,
      categories: first.categories,
      products: first.products,
      media: first.images,
    })
    expect(first.created).toBe(
      first.brands + first.categories + first.products + first.variants + first.images,
    )
  })

  it('arranges the categories in a tree at least two levels deep', async () => {
    const { docs } = await server.payload.find({ collection: 'categories', pagination: false, depth: 0 })
    // String keys: ids are numbers on SQL and strings on MongoDB.
    const byId = new Map<string, Category>(docs.map((doc) => [String(doc.id), doc]))
    const parentOf = (category: Category): Category | undefined =>
      category.parent === null || category.parent === undefined || typeof category.parent === 'object'
        ? undefined
        : byId.get(String(category.parent))
    const children = docs.filter((doc) => parentOf(doc) !== undefined)
    expect(children.length).toBeGreaterThan(0)
    expect(docs.some((doc) => doc.parent === null || doc.parent === undefined)).toBe(true)
    const grandchildren = children.filter((doc) => {
      const parent = parentOf(doc)
      return parent !== undefined && parentOf(parent) !== undefined
    })
    expect(grandchildren.length).toBeGreaterThan(0)
    expect(docs.some((doc) => doc.image !== null && doc.image !== undefined)).toBe(true)
  })

  it('creates nothing the second time', () => {
    expect(second.created).toBe(0)
    expect(second).toEqual({ ...first, created: 0 })
    expect(afterSecond).toEqual(afterFirst)
  })

  it('gives every product a unique SKU, integer money and stock, a brand, categories and a description', () => {
    expect(products.length).toBe(first.products)
    expect(new Set(products.map((product) => product.sku)).size).toBe(products.length)
    for (const product of products) {
      expect(product.sku).toMatch(/^DEMO-\d{4}$/)
      expect(Number.isInteger(product.price)).toBe(true)
      expect(product.price).toBeGreaterThan(0)
      expect(Number.isInteger(product.stock)).toBe(true)
      expect(product.stock).toBeGreaterThanOrEqual(0)
      if (product.compareAtPrice !== null && product.compareAtPrice !== undefined) {
        expect(Number.isInteger(product.compareAtPrice)).toBe(true)
        expect(product.compareAtPrice).toBeGreaterThan(product.price)
      }
      expect(product.brand).toEqual(expect.objectContaining({ id: expect.anything() }))
      expect(product.categories?.length ?? 0).toBeGreaterThanOrEqual(1)
      expect(product.categories?.length ?? 0).toBeLessThanOrEqual(2)
      // allCategories adds the parents of the chosen categories.
      const all = new Set((product.allCategories ?? []).map((category) => String(idOf(category))))
      for (const category of product.categories ?? []) {
        expect(all.has(String(idOf(category)))).toBe(true)
        const parent = typeof category === 'object' ? category.parent : undefined
        if (parent !== null && parent !== undefined) expect(all.has(String(idOf(parent)))).toBe(true)
      }
      const paragraph = product.description?.root.children[0]
      expect(paragraph?.type).toBe('paragraph')
    }
    expect(products.some((product) => (product.compareAtPrice ?? 0) > product.price)).toBe(true)
    expect(products.filter((product) => product.stock === 0).length).toBeGreaterThanOrEqual(2)
    expect(products.some((product) => product.stock > 0 && product.stock <= 3)).toBe(true)
    const drafts = products.filter((product) => product.status === 'draft')
    expect(drafts.length).toBeGreaterThanOrEqual(2)
    expect(drafts.length).toBeLessThanOrEqual(3)
  })

  it('sells a few products in sizes and colours, each variant with its image', async () => {
    const optioned = products.filter((product) => (product.options?.length ?? 0) > 0)
    expect(optioned.length).toBeGreaterThanOrEqual(3)
    expect(first.variants).toBeGreaterThanOrEqual(12)
    const res = await api<
      Omit<Product, 'variants'> & { variants: { title: string; stock: number; image: unknown }[] }
    >(`/api/products/${optioned[0]?.id}`)
    const sizes = optioned[0]?.options?.[0]?.values?.length ?? 0
    const colours = optioned[0]?.options?.[1]?.values?.length ?? 0
    expect(res.body.variants).toHaveLength(sizes * colours)
    expect(res.body.variants.every((variant) => / \/ /.test(variant.title))).toBe(true)
    expect(res.body.variants.every((variant) => Boolean(media(variant.image as Media)?.filename))).toBe(true)
    expect(res.body.variants.some((variant) => variant.stock === 0)).toBe(true)
  })

  it('stores every product image as a file in MEDIA_DIR, with its generated sizes', () => {
    for (const product of products) {
      const main = media(product.mainImage)
      expect(main?.filename).toEqual(expect.any(String))
      expect(main?.mimeType).toMatch(/^image\/(jpeg|png|webp)$/)
      expect(existsSync(path.join(mediaDir, main?.filename ?? 'missing'))).toBe(true)
      expect(existsSync(path.join(mediaDir, main?.sizes?.thumbnail?.filename ?? 'missing'))).toBe(true)
      const subs = (product.images ?? []).map(media)
      expect(subs.length).toBeLessThanOrEqual(2)
      for (const sub of subs) expect(existsSync(path.join(mediaDir, sub?.filename ?? 'missing'))).toBe(true)
    }
    expect(products.some((product) => (product.images?.length ?? 0) > 0)).toBe(true)
  })

  it('shows anonymous visitors the published products only', async () => {
    const res = await api<{ docs: Product[]; totalDocs: number }>('/api/products?limit=100')
    expect(res.status).toBe(200)
    const published = products.filter((product) => product.status === 'published')
    expect(res.body.totalDocs).toBe(published.length)
    expect(res.body.docs.every((product) => product.status === 'published')).toBe(true)
    const visible = new Set(res.body.docs.map((product) => product.sku))
    for (const draft of products.filter((product) => product.status === 'draft')) {
      expect(visible.has(draft.sku)).toBe(false)
    }
    const image = media(res.body.docs[0]?.mainImage)
    expect(image?.url).toEqual(expect.any(String))
    const file = await fetch(`${server.url}/api/media/file/${image?.filename ?? 'missing'}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toMatch(/^image\//)
  })
})

describe('npm run seed', () => {
  it('creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD once, and a rerun changes nothing', async () => {
    const email = 'seeded.ops@example.test'
    expect(await seedAdmin(server.payload, email, 'seeded-pass-123')).toEqual({ admin: 'created', email })
    expect(await seedAdmin(server.payload, email, 'seeded-pass-123')).toEqual({ admin: 'unchanged', email })
    expect(await seedAdmin(server.payload, email, 'another-pass-123')).toEqual({ admin: 'updated', email })
    const found = await server.payload.find({ collection: 'users', where: { email: { equals: email } } })
    expect(found.totalDocs).toBe(1)
    expect(found.docs[0]?.roles).toEqual(['admin'])
    const token = await login(api, email, 'another-pass-123')
    const me = await api<{ user: { roles: string[] } }>('/api/users/me', { token })
    expect(me.body.user.roles).toEqual(['admin'])
    expect(await seedAdmin(server.payload, undefined, undefined)).toEqual({ admin: 'skipped' })
  })

  it('creates a few shipping methods and tax rates once; a rerun changes nothing', async () => {
    expect(await seedShipping(server.payload)).toEqual({ methods: 3, rates: 5, created: 8 })
    expect(await seedShipping(server.payload)).toEqual({ methods: 3, rates: 5, created: 0 })
    const methods = await api<{ docs: { name: string }[] }>('/api/shipping-methods')
    expect(methods.body.docs.map((method) => method.name).sort()).toEqual([
      'Express',
      'Local pickup',
      'Standard',
    ])
    expect((await server.payload.count({ collection: 'tax-rates' })).totalDocs).toBe(5)
  })
})
