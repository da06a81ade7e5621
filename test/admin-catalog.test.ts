import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, expect, it } from '@jest/globals'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'

import { launchChromium, RESULTS_DIR, screenshot, watchProblems } from './helpers/browser'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startProductionServer } from './helpers/store/production'
import type { ProductionServer } from './helpers/store/production'
import { CHROMIUM, describeIf } from './helpers/services'
import { firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// An operator builds the catalog in the admin UI of `npm start` (production build, empty database):
// a brand, a category, then a product with an uploaded main image, each checked through the API.

const TIMEOUT = 30_000
const BRAND = 'Acme Ceramics'
const CATEGORY = 'Kitchen Mugs'
const PRODUCT = { title: 'Blue Glazed Mug', sku: 'MUG-BLUE-001', price: 1999, stock: 12 }

type Doc = { id: number | string; [key: string]: unknown }
type List = { docs: Doc[]; totalDocs: number }

describeIf(CHROMIUM !== undefined, 'Chromium (Debian package chromium)')(
  'an operator builds the catalog in the admin UI',
  () => {
    let server: ProductionServer
    let api: Api
    let admin: Account
    let tmp: string
    let imageFile: string
    let browser: Browser
    let page: Page
    let problems: string[] = []
    const failedRequests: string[] = []
    const ids: { brand?: number | string; category?: number | string } = {}

    beforeAll(async () => {
      server = await startProductionServer()
      api = client(server.url)
      admin = await firstAdmin(api, 'catalog.operator@example.test', 'operator-pass-123')
      tmp = mkdtempSync(path.join(os.tmpdir(), 'store-admin-catalog-'))
      imageFile = path.join(tmp, 'blue-mug.png')
      const mug = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect x="120" y="80" width="400" height="320" rx="40" fill="#ffffff"/></svg>`,
      )
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#1e4fa3' } })
        .composite([{ input: mug }])
        .png()
        .toFile(imageFile)

      browser = await launchChromium()
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      page.setDefaultTimeout(TIMEOUT)
      problems = watchProblems(page)
      page.on('response', (response) => {
        if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`)
      })
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await server?.stop()
      if (tmp) rmSync(tmp, { recursive: true, force: true })
    })

    /** Runs one step; screenshots its end, or on failure a screenshot and the page's HTML. */
    async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
      try {
        const result = await run()
        await screenshot(page, `admin-catalog-${name}`)
        return result
      } catch (error) {
        await screenshot(page, `admin-catalog-${name}-failed`).catch(() => undefined)
        writeFileSync(path.join(RESULTS_DIR, `admin-catalog-${name}-failed.html`), await page.content())
        throw new Error(
          `${String(error)}\nfailed requests: ${failedRequests.join(', ') || 'none'}\npage problems: ${
            problems.join(' | ') || 'none'
          }`,
          { cause: error },
        )
      }
    }

    /** Saves the document form and returns the id the admin UI navigates to. */
    async function saveNew(collection: string): Promise<string> {
      await page.locator('#action-save').click()
      const edit = new RegExp(`/admin/collections/${collection}/(?!create)([^/?#]+)$`)
      await page.waitForURL((target) => edit.test(target.pathname), { timeout: TIMEOUT })
      return edit.exec(new URL(page.url()).pathname)![1]!
    }

    /** Picks `label` in the react-select of the field `name` (relationship or select). */
    async function choose(name: string, label: string): Promise<void> {
      const field = page.locator(`#field-${name}`)
      await field.locator('.rs__control').click()
      await field.locator('.rs__input').fill(label)
      await field.locator('.rs__option', { hasText: label }).first().click()
      await expect(field.locator('.rs__value-container').textContent()).resolves.toContain(label)
    }

    async function findOne(collection: string, field: string, value: string): Promise<Doc> {
      const query = `where[${field}][equals]=${encodeURIComponent(value)}&depth=0`
      const res = await api<List>(`/api/${collection}?${query}`, { token: admin.token })
      expect(res.status).toBe(200)
      expect(res.body.totalDocs).toBe(1)
      return res.body.docs[0]!
    }

    it('logs in on the admin login page', async () => {
      await step('login', async () => {
        await page.goto(`${server.url}/admin/login`)
        await page.locator('#field-email').fill(admin.email)
        await page.locator('#field-password').fill(admin.password)
        await page.locator('button[type="submit"]').click()
        await page.waitForURL((target) => target.pathname === '/admin', { timeout: TIMEOUT })
        await page.locator('#nav-products, a[href="/admin/collections/products"]').first().waitFor()
      })
    }, 60_000)

    it('creates a brand', async () => {
      const id = await step('brand', async () => {
        await page.goto(`${server.url}/admin/collections/brands/create`)
        await page.locator('#field-name').fill(BRAND)
        return saveNew('brands')
      })
      const brand = await findOne('brands', 'name', BRAND)
      expect(String(brand.id)).toBe(id)
      expect(brand).toMatchObject({ name: BRAND, slug: 'acme-ceramics' })
      ids.brand = brand.id
    }, 60_000)

    it('creates a category', async () => {
      const id = await step('category', async () => {
        await page.goto(`${server.url}/admin/collections/categories/create`)
        await page.locator('#field-name').fill(CATEGORY)
        return saveNew('categories')
      })
      const category = await findOne('categories', 'name', CATEGORY)
      expect(String(category.id)).toBe(id)
      expect(category).toMatchObject({ name: CATEGORY, slug: 'kitchen-mugs' })
      ids.category = category.id
    }, 60_000)

    it('creates a published product with brand, category and an uploaded main image', async () => {
      expect(ids.brand).toBeDefined()
      expect(ids.category).toBeDefined()
      await step('product-fields', async () => {
        await page.goto(`${server.url}/admin/collections/products/create`)
        await page.locator('#field-title').fill(PRODUCT.title)
        await page.locator('#field-price').fill(String(PRODUCT.price))
        await page.locator('#field-sku').fill(PRODUCT.sku)
        await page.locator('#field-stock').fill(String(PRODUCT.stock))
        await choose('brand', BRAND)
        await choose('categories', CATEGORY)
        await choose('status', 'Published')
      })

      await step('product-image-drawer', async () => {
        await page.locator('#field-mainImage .upload__createNewToggler').click()
        const drawer = page.locator('.drawer--is-open')
        await drawer.locator('input.file-field__hidden-input[type="file"]').setInputFiles(imageFile)
        await drawer.locator('#field-alt').fill('A blue glazed mug')
        await expect(drawer.locator('input.file-field__filename').inputValue()).resolves.toBe('blue-mug.png')
      })

      await step('product-image-saved', async () => {
        const drawer = page.locator('.drawer--is-open')
        await drawer.locator('#action-save').click()
        await drawer.waitFor({ state: 'detached', timeout: TIMEOUT })
        await page.locator('#field-mainImage').getByText('blue-mug.png').first().waitFor()
      })

      const id = await step('product-saved', () => saveNew('products'))

      const res = await api<Doc>(`/api/products/${id}?depth=1`, { token: admin.token })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({
        title: PRODUCT.title,
        slug: 'blue-glazed-mug',
        sku: PRODUCT.sku,
        price: PRODUCT.price,
        stock: PRODUCT.stock,
        status: 'published',
        brand: { id: ids.brand, name: BRAND },
        categories: [{ id: ids.category, name: CATEGORY }],
        mainImage: { mimeType: 'image/png', alt: 'A blue glazed mug', width: 640, height: 480 },
      })
      const image = res.body.mainImage as { filename: string; url: string }
      expect(image.filename).toMatch(/^blue-mug.*\.png$/)
      const file = await fetch(new URL(image.url, server.url))
      expect(file.status).toBe(200)
      expect(file.headers.get('content-type')).toBe('image/png')

      const anonymous = await api<Doc>(`/api/products/${id}`)
      expect(anonymous.status).toBe(200)
      expect(anonymous.body).toMatchObject({ id: res.body.id, status: 'published', price: PRODUCT.price })

      expect(problems).toEqual([])
    }, 120_000)
  },
)
