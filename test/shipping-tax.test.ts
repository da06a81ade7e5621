import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { allocateDiscount, shippingPrice, taxLines, taxOn, taxedTotals } from '../src/money'
import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import { client } from './helpers/http'
import type { Api } from './helpers/http'
import { startInstance } from './helpers/store/instance'
import type { Instance } from './helpers/store/instance'
import { startTestServer } from './helpers/store/inProcess'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart } from './helpers/shop'
import type { CartView, Errors, OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi, firstAdmin } from './helpers/users'
import type { Account } from './helpers/users'

// Shipping methods and taxes: the money rules on their own (rounding), then through the API on
// a store with TAX_MODE=exclusive (in this process) and a second instance of it on the same
// database with TAX_MODE=inclusive; Stripe's amount_total must equal the order total in both.

const SECRET = 'whsec_test_secret_0123456789'

type TaxedOrder = OrderView & {
  tax: number
  taxLines: { name: string; rate: number; amount: number }[]
  shippingMethod: { methodId: string | null; name: string | null }
  shippingAddress: Record<string, unknown>
  payment?: { stripeSessionId?: string | null }
}
type TaxedCart = CartView & { tax: number; taxLines: { name: string; rate: number; amount: number }[] }
type MethodsAnswer = { country: string; methods: { id: number | string; name: string; price: number }[] }

describe('money: shipping and tax rules', () => {
  it('rounds tax half up per line, exclusive and inclusive', () => {
    expect(taxOn(1999, 2000, 'exclusive')).toBe(400) // 399.8
    expect(taxOn(1000, 725, 'exclusive')).toBe(73) // 72.5: half up
    expect(taxOn(1002, 725, 'exclusive')).toBe(73) // 72.645
    expect(taxOn(999, 2000, 'inclusive')).toBe(167) // 166.5: half up
    expect(taxOn(1999, 2000, 'inclusive')).toBe(333) // 333.17
    expect(taxOn(0, 2000, 'exclusive')).toBe(0)
  })

  it('shares a discount over the lines exactly, largest remainders first', () => {
    expect(allocateDiscount([1000, 1000, 1000], 100)).toEqual([34, 33, 33])
    expect(allocateDiscount([1, 2], 1)).toEqual([0, 1])
    expect(allocateDiscount([500, 0], 0)).toEqual([0, 0])
    for (const [lines, discount] of [
      [[333, 333, 334], 7],
      [[1999, 1], 1000],
      [[5, 5, 5, 5], 20],
    ] as const) {
      const shares = allocateDiscount([...lines], discount)
      expect(shares.reduce((a, b) => a + b, 0)).toBe(discount)
      shares.forEach((share, i) => expect(share).toBeLessThanOrEqual(lines[i]!))
    }
  })

  it('taxes each line after its share of the discount; the tax is the sum of its lines', () => {
    const rates = [{ name: 'VAT', rate: 2000, appliesToShipping: true }]
    // 1000 and 1000 less 3 of discount (2 and 1): 998 and 999 → 199.6 and 199.8 → 200 + 200, shipping 100.
    expect(taxLines([1000, 1000], 3, 500, rates, 'exclusive')).toEqual([
      { name: 'VAT', rate: 2000, amount: 500 },
    ])
    const lines = [
      { unitPrice: 1999, quantity: 1, lineTotal: 1999 },
      { unitPrice: 333, quantity: 3, lineTotal: 999 },
    ]
    const exclusive = taxedTotals(
      lines,
      null,
      { method: { price: 500, freeAbove: 5000 } },
      rates,
      'exclusive',
    )
    expect(exclusive).toMatchObject({ subtotal: 2998, shipping: 500, tax: 700, total: 4198 })
    const inclusive = taxedTotals(
      lines,
      null,
      { method: { price: 500, freeAbove: 5000 } },
      rates,
      'inclusive',
    )
    expect(inclusive).toMatchObject({ subtotal: 2998, shipping: 500, tax: 583, total: 3498 })
    expect(inclusive.taxLines.reduce((sum, line) => sum + line.amount, 0)).toBe(inclusive.tax)
  })

  it('ships free at or above the threshold (after discount)', () => {
    expect(shippingPrice({ price: 500, freeAbove: 5000 }, 4999)).toBe(500)
    expect(shippingPrice({ price: 500, freeAbove: 5000 }, 5000)).toBe(0)
    expect(shippingPrice({ price: 500, freeAbove: null }, 1_000_000)).toBe(500)
  })
})

let double: StripeDouble
let server: TestServer
let inclusive: Instance | undefined
let api: Api
let admin: Account
let buyer: Account
let standard: Doc
let express: Doc
let kettle: Doc
let mugs: Doc

const GB = { ...ADDRESS, country: 'GB' }

async function fillCart(target: Api = api): Promise<void> {
  await target('/api/carts/mine', { method: 'DELETE', token: buyer.token })
  expect((await addToCart(target, buyer.token, kettle.id, 1)).status).toBe(200)
  expect((await addToCart(target, buyer.token, mugs.id, 3)).status).toBe(200)
}

describe('shipping methods and taxes through the API', () => {
  beforeAll(async () => {
    double = await new StripeDouble().start()
    server = await startTestServer({
      ...double.storeEnv(SECRET),
      TAX_MODE: 'exclusive',
      SHIPPING_FLAT_FEE: '900',
    })
    api = client(server.url)
    admin = await firstAdmin(api)
    ;[buyer] = (await customersViaLocalApi(server.payload, api, 1, 'taxes')) as [Account]
    inclusive = await startInstance({ TAX_MODE: 'inclusive' })
  }, 300_000)

  afterAll(async () => {
    await inclusive?.stop()
    await server?.stop()
    await double?.stop()
  })

  it('without any method the flat fee applies and checkout needs none', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 1000, stock: 5 }))
    await api('/api/carts/mine', { method: 'DELETE', token: buyer.token })
    await addToCart(api, buyer.token, item.id, 1)
    const res = await api<{ order: TaxedOrder }>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'cod', shippingAddress: { ...ADDRESS, country: 'JP' } },
    })
    expect(res.status).toBe(201)
    expect(res.body.order).toMatchObject({ shipping: 900, tax: 0, taxLines: [], total: 1900 })
  })

  it('admins set methods and rates; customers read enabled methods only and no rates', async () => {
    standard = await create(api, admin.token, 'shipping-methods', {
      name: 'Standard',
      price: 500,
      freeAbove: 5000,
    })
    express = await create(api, admin.token, 'shipping-methods', {
      name: 'Express',
      price: 1500,
      countries: ['us', 'GB'],
    })
    await create(api, admin.token, 'shipping-methods', { name: 'Retired', price: 1, enabled: false })
    await create(api, admin.token, 'tax-rates', {
      name: 'UK VAT',
      country: 'gb',
      rate: 2000,
      appliesToShipping: true,
    })
    await create(api, admin.token, 'tax-rates', {
      name: 'CA sales tax',
      country: 'US',
      region: 'CA',
      rate: 725,
    })
    for (const bad of [{ country: 'XX' }, { rate: 10_001 }, { rate: 12.5 }]) {
      const res = await api('/api/tax-rates', {
        token: admin.token,
        json: { name: 'Bad', country: 'FR', rate: 100, ...bad },
      })
      expect(res.status).toBe(400)
    }
    expect(
      (await api('/api/shipping-methods', { token: admin.token, json: { name: 'X', price: -1 } })).status,
    ).toBe(400)
    expect(
      (
        await api('/api/shipping-methods', {
          token: admin.token,
          json: { name: 'X', price: 1, countries: ['ZZ'] },
        })
      ).status,
    ).toBe(400)
    expect(
      (await api('/api/shipping-methods', { token: buyer.token, json: { name: 'Mine', price: 0 } })).status,
    ).toBe(403)
    const listed = await api<{ docs: { name: string }[] }>('/api/shipping-methods', { token: buyer.token })
    expect(listed.body.docs.map((m) => m.name).sort()).toEqual(['Express', 'Standard'])
    expect((await api('/api/tax-rates', { token: buyer.token })).status).toBe(403)
    expect((await api('/api/tax-rates')).status).toBe(403)
    kettle = await create(api, admin.token, 'products', product({ title: 'Kettle', price: 1999, stock: 50 }))
    mugs = await create(api, admin.token, 'products', product({ title: 'Mug', price: 333, stock: 50 }))
  })

  it('the cart lists the methods serving a destination, priced for it, and its tax', async () => {
    await fillCart()
    const gb = await api<MethodsAnswer>('/api/carts/mine/shipping-methods?country=gb', { token: buyer.token })
    expect(gb.status).toBe(200)
    expect(gb.body.methods.map((m) => [m.name, m.price])).toEqual([
      ['Standard', 500],
      ['Express', 1500],
    ])
    const fr = await api<MethodsAnswer>('/api/carts/mine/shipping-methods?country=FR', { token: buyer.token })
    expect(fr.body.methods.map((m) => m.name)).toEqual(['Standard'])
    expect((await api('/api/carts/mine/shipping-methods?country=XX', { token: buyer.token })).status).toBe(
      400,
    )
    expect((await api('/api/carts/mine/shipping-methods', { token: buyer.token })).status).toBe(400)
    expect((await api('/api/carts/mine/shipping-methods?country=GB')).status).toBe(401)

    const cart = await api<TaxedCart>(`/api/carts/mine?country=GB&shippingMethod=${standard.id}`, {
      token: buyer.token,
    })
    expect(cart.body).toMatchObject({ subtotal: 2998, shipping: 500, tax: 700, total: 4198 })
    expect(cart.body.taxLines).toEqual([{ name: 'UK VAT', rate: 2000, amount: 700 }])
    const california = await api<TaxedCart>('/api/carts/mine?country=US&region=CA', { token: buyer.token })
    // 1999 × 7.25 % = 144.93 → 145; 999 × 7.25 % = 72.43 → 72; shipping not taxed, not chosen yet.
    expect(california.body).toMatchObject({ shipping: 0, tax: 217, total: 2998 + 217 })
    const texas = await api<TaxedCart>('/api/carts/mine?country=US&region=TX', { token: buyer.token })
    expect(texas.body).toMatchObject({ tax: 0, taxLines: [] })
    // Above the threshold Standard ships free.
    await addToCart(api, buyer.token, kettle.id, 2)
    const free = await api<MethodsAnswer>('/api/carts/mine/shipping-methods?country=FR', {
      token: buyer.token,
    })
    expect(free.body.methods[0]).toMatchObject({ name: 'Standard', price: 0 })
  })

  it('checkout requires a method that serves the address, and records tax, taxLines and the method', async () => {
    await fillCart()
    const attempt = (json: Record<string, unknown>) =>
      api<{ order: TaxedOrder } & Errors>('/api/checkout', {
        token: buyer.token,
        json: { paymentMethod: 'cod', ...json },
      })
    expect((await attempt({ shippingAddress: GB })).status).toBe(400)
    const refused = await attempt({
      shippingAddress: { ...ADDRESS, country: 'FR' },
      shippingMethod: express.id,
    })
    expect(refused.status).toBe(400)
    expect(refused.body.errors[0]?.message).toMatch(/does not ship to FR/)
    expect((await attempt({ shippingAddress: GB, shippingMethod: 999999 })).status).toBe(400)
    expect((await api<TaxedCart>('/api/carts/mine', { token: buyer.token })).body.items).toHaveLength(2)

    const placed = await attempt({ shippingAddress: GB, shippingMethod: standard.id })
    expect(placed.status).toBe(201)
    expect(placed.body.order).toMatchObject({
      subtotal: 2998,
      shipping: 500,
      tax: 700,
      total: 4198,
      taxLines: [{ name: 'UK VAT', rate: 2000, amount: 700 }],
      shippingMethod: { methodId: String(standard.id), name: 'Standard' },
    })
    const mail = await server.mailbox.waitFor(
      (m) => m.subject === `Order ${placed.body.order.orderNumber} confirmed`,
    )
    expect(mail.text).toContain('UK VAT')
    expect(mail.text).toContain('$41.98')
  })

  it("Stripe's amount_total equals the order total, tax exclusive (own line) and inclusive", async () => {
    await fillCart()
    const exclusive = await api<{ order: TaxedOrder }>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'card', shippingAddress: GB, shippingMethod: express.id },
    })
    expect(exclusive.status).toBe(201)
    expect(exclusive.body.order).toMatchObject({
      shipping: 1500,
      tax: 400 + 200 + 300,
      total: 2998 + 1500 + 900,
    })
    const session = double.session(exclusive.body.order.payment?.stripeSessionId ?? '')
    expect(session?.amount_total).toBe(exclusive.body.order.total)

    const other = client(inclusive!.url)
    await fillCart(other)
    const included = await other<{ order: TaxedOrder }>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'card', shippingAddress: GB, shippingMethod: express.id },
    })
    expect(included.status).toBe(201)
    // 1999 → 333.17 → 333; 999 → 166.5 → 167; shipping 1500 → 250: shown, not added.
    expect(included.body.order).toMatchObject({ shipping: 1500, tax: 750, total: 2998 + 1500 })
    const inSession = double.session(included.body.order.payment?.stripeSessionId ?? '')
    expect(inSession?.amount_total).toBe(included.body.order.total)
  })
})
