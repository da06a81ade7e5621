import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import type { Api, ApiResponse } from './helpers/http'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import type { TestServer } from './helpers/store/inProcess'
import { addToCart, checkoutCod } from './helpers/shop'
import type { CartView, Errors } from './helpers/shop'
import { customersViaLocalApi } from './helpers/users'
import type { Account } from './helpers/users'

// Every acknowledged cart change is kept, whatever the concurrency: real parallel HTTP requests,
// split across two server processes on one database.

let stores: StorePair | undefined
let server: TestServer
let api: Api
let admin: Account
let instance: StorePair['apiFor']

beforeAll(async () => {
  stores = await startStorePair()
  ;({ server, api, admin, apiFor: instance } = stores)
}, 90_000)

afterAll(async () => {
  await stores?.stop()
})
const ok = (res: { status: number }): boolean => res.status >= 200 && res.status < 300
const refused = (res: { status: number }): boolean => res.status === 409
const cartOf = async (account: Account): Promise<CartView> =>
  (await api<CartView>('/api/carts/mine', { token: account.token })).body
const quantityIn = (cart: CartView, item: Doc): number =>
  cart.items.find((line) => String(line.product.id) === String(item.id))?.quantity ?? 0

/** Every answer is a 2xx or a 409: a lost race may be refused, never answered with a 5xx. */
function expectAcknowledgedOrRefused(answers: ApiResponse<unknown>[]): void {
  for (const answer of answers) expect(ok(answer) || refused(answer) ? 'ok' : answer.text).toBe('ok')
}

describe('concurrent cart changes', () => {
  it('10 adds of one unit: every acknowledged unit is in the cart', async () => {
    const mug = await create(api, admin.token, 'products', product({ stock: 50 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'adds')
    await cartOf(buyer!)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => addToCart(instance(i), buyer!.token, mug.id, 1)),
    )
    expectAcknowledgedOrRefused(answers)
    const acknowledged = answers.filter(ok).length
    expect(acknowledged).toBeGreaterThan(0)
    expect(quantityIn(await cartOf(buyer!), mug)).toBe(acknowledged)
  }, 60_000)

  it('10 adds of 10 different products: one line for each acknowledged add', async () => {
    const products = await Promise.all(
      Array.from({ length: 10 }, () => create(api, admin.token, 'products', product({ stock: 5 }))),
    )
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'lines')
    await cartOf(buyer!)
    const answers = await Promise.all(
      products.map((item, i) => addToCart(instance(i), buyer!.token, item.id, 1)),
    )
    expectAcknowledgedOrRefused(answers)
    const cart = await cartOf(buyer!)
    products.forEach((item, i) =>
      expect([item.id, quantityIn(cart, item)]).toEqual([item.id, ok(answers[i]!) ? 1 : 0]),
    )
    expect(cart.items).toHaveLength(answers.filter(ok).length)
  }, 60_000)

  it('set, remove and coupon changes mixed with adds: every acknowledged change is kept', async () => {
    const [kept, dropped, added, more] = await Promise.all(
      Array.from({ length: 4 }, () => create(api, admin.token, 'products', product({ stock: 50 }))),
    )
    const coupon = await create(api, admin.token, 'coupons', {
      code: `MIX${Date.now()}`,
      type: 'percent',
      value: 10,
    })
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'mixed')
    const token = buyer!.token
    expect((await addToCart(api, token, kept!.id, 1)).status).toBe(200)
    expect((await addToCart(api, token, dropped!.id, 1)).status).toBe(200)

    const requests: Promise<ApiResponse<CartView & Errors>>[] = []
    const adds: Promise<ApiResponse<CartView & Errors>>[] = []
    const moreAdds: Promise<ApiResponse<CartView & Errors>>[] = []
    for (let i = 0; i < 4; i++) adds.push(addToCart(instance(i), token, added!.id, 1))
    const set = instance(1)<CartView & Errors>(`/api/carts/mine/items/${kept!.id}`, {
      method: 'PATCH',
      token,
      json: { quantity: 7 },
    })
    const removed = instance(0)<CartView & Errors>(`/api/carts/mine/items/${dropped!.id}`, {
      method: 'DELETE',
      token,
    })
    const applied = instance(1)<CartView & Errors>('/api/carts/mine/coupon', {
      token,
      json: { code: coupon.code },
    })
    for (let i = 0; i < 3; i++) moreAdds.push(addToCart(instance(i + 1), token, more!.id, 2))
    requests.push(...adds, set, removed, applied, ...moreAdds)
    const answers = await Promise.all(requests)
    expectAcknowledgedOrRefused(answers)

    const cart = await cartOf(buyer!)
    expect(quantityIn(cart, added!)).toBe((await Promise.all(adds)).filter(ok).length)
    expect(quantityIn(cart, more!)).toBe(2 * (await Promise.all(moreAdds)).filter(ok).length)
    expect(quantityIn(cart, kept!)).toBe(ok(await set) ? 7 : 1)
    expect(quantityIn(cart, dropped!)).toBe(ok(await removed) ? 0 : 1)
    expect(cart.coupon?.code ?? null).toBe(ok(await applied) ? coupon.code : null)

    // Removing the coupon and emptying the cart, each racing adds.
    const round = await Promise.all([
      instance(0)<CartView & Errors>('/api/carts/mine/coupon', { method: 'DELETE', token }),
      addToCart(instance(1), token, added!.id, 1),
      addToCart(instance(0), token, added!.id, 1),
    ])
    expectAcknowledgedOrRefused(round)
    const afterRound = await cartOf(buyer!)
    if (ok(round[0])) expect(afterRound.coupon).toBeNull()
    expect(quantityIn(afterRound, added!)).toBe(quantityIn(cart, added!) + round.slice(1).filter(ok).length)

    const emptied = await Promise.all([
      instance(1)<CartView & Errors>('/api/carts/mine', { method: 'DELETE', token }),
      addToCart(instance(0), token, more!.id, 1),
    ])
    expectAcknowledgedOrRefused(emptied)
    const [empty, lastAdd] = emptied
    const final = await cartOf(buyer!)
    if (ok(empty!) && ok(lastAdd!)) {
      // Both kept, in one order or the other: the add's answer tells which came second.
      const addCameLast = quantityIn(lastAdd!.body, more!) === 1
      expect(quantityIn(final, more!)).toBe(addCameLast ? 1 : 0)
      expect(final.items).toHaveLength(addCameLast ? 1 : 0)
    }
  }, 60_000)
})

describe('an add racing a checkout', () => {
  it('the added item ends in the order or in the cart, never in neither, and the answers say which', async () => {
    const base = await create(api, admin.token, 'products', product({ stock: 100 }))
    const extra = await create(api, admin.token, 'products', product({ stock: 100 }))
    const buyers = await customersViaLocalApi(server.payload, api, 8, 'racing')
    for (const [i, buyer] of buyers.entries()) {
      expect((await addToCart(api, buyer.token, base.id, 1)).status).toBe(200)
      const [checkedOut, add] = await Promise.all([
        checkoutCod(instance(i), buyer.token),
        addToCart(instance(i + 1), buyer.token, extra.id, 1),
      ])
      expect([201, 400, 409]).toContain(checkedOut.status)
      expectAcknowledgedOrRefused([add])
      const orders = await server.payload.find({
        collection: 'orders',
        where: { customer: { equals: buyer.id } },
        depth: 0,
      })
      expect(orders.totalDocs).toBe(checkedOut.status === 201 ? 1 : 0)
      const ordered = (orders.docs[0]?.items ?? [])
        .filter((line) => String(line.product) === String(extra.id))
        .reduce((sum, line) => sum + line.quantity, 0)
      const inCart = quantityIn(await cartOf(buyer), extra)
      // Acknowledged: exactly once, in the order or the cart; refused: nowhere.
      expect(ordered + inCart).toBe(ok(add) ? 1 : 0)
      if (checkedOut.status === 201) {
        const inOrder = checkedOut.body.order.items.some((line) => String(line.product) === String(extra.id))
        expect(inOrder).toBe(ordered === 1)
        // The add's answer is the cart it made: with the base item still in it, the add came before
        // the checkout took the cart, so the order has the extra item; without it, the cart has it.
        if (ok(add)) expect(ordered).toBe(quantityIn(add.body, base) > 0 ? 1 : 0)
      }
    }
  }, 120_000)
})

describe('the cart document', () => {
  it('holds its lines as one validated value: admin writes are checked and bump the revision, filters on lines are 400', async () => {
    const mug = await create(api, admin.token, 'products', product({ stock: 50 }))
    const [buyer] = await customersViaLocalApi(server.payload, api, 1, 'document')
    expect((await addToCart(api, buyer!.token, mug.id, 2)).status).toBe(200)
    const stored = (
      await server.payload.find({ collection: 'carts', where: { customer: { equals: buyer!.id } } })
    ).docs[0]!
    expect(stored.items).toEqual([{ product: mug.id, quantity: 2 }])
    const revision = stored.revision ?? 0

    const refused = [
      [{ product: 'not-an-id', quantity: 1 }],
      [
        { product: mug.id, quantity: 1 },
        { product: mug.id, quantity: 2 },
      ],
      [{ product: mug.id, quantity: 1.5 }],
      [{ product: mug.id, quantity: 100 }],
      [{ product: mug.id, quantity: 1, unitPrice: 1 }],
      'not a list',
    ]
    for (const items of refused) {
      const res = await api(`/api/carts/${stored.id}`, {
        method: 'PATCH',
        token: admin.token,
        json: { items },
      })
      expect([JSON.stringify(items), res.status]).toEqual([JSON.stringify(items), 400])
    }
    const edited = await api(`/api/carts/${stored.id}`, {
      method: 'PATCH',
      token: admin.token,
      json: { items: [{ product: String(mug.id), quantity: 3 }], revision: 0 },
    })
    expect(edited.status).toBe(200)
    const after = await server.payload.findByID({ collection: 'carts', id: stored.id })
    expect(after.items).toEqual([{ product: mug.id, quantity: 3 }])
    // Bumped, whatever the body said: a customer change read before this edit is computed again.
    expect(after.revision).toBe(revision + 1)
    expect(quantityIn(await cartOf(buyer!), mug)).toBe(3)

    for (const query of [
      `where[items.product][equals]=${mug.id}`,
      'where[items.quantity][greater_than]=1',
      'where[items][exists]=true',
      `where[or][0][items.product][in]=${mug.id}`,
    ]) {
      for (const token of [admin.token, buyer!.token]) {
        expect([query, (await api(`/api/carts?${query}`, { token })).status]).toEqual([query, 400])
      }
    }
  }, 60_000)
})
