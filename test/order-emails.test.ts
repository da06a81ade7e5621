import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

import { create, product } from './helpers/catalog'
import type { Doc } from './helpers/catalog'
import type { Api } from './helpers/http'
import type { Mail } from './helpers/mailbox'
import { eventually } from './helpers/services'
import { STOREFRONT } from './helpers/store/env'
import { startStorePair } from './helpers/store/pair'
import type { StorePair } from './helpers/store/pair'
import type { TestServer } from './helpers/store/inProcess'
import { ADDRESS, addToCart, checkoutCod } from './helpers/shop'
import type { OrderView } from './helpers/shop'
import { StripeDouble } from './helpers/stripeDouble'
import { customersViaLocalApi } from './helpers/users'
import type { Account } from './helpers/users'

// Order emails through the outbox, against a real SMTP server, on two server processes sharing
// one database: each event's email arrives once, whatever instance, retry or webhook redelivery
// caused or sent it, and an SMTP server that refuses for a while delays it without failing anything.

const SECRET = 'whsec_test_secret_0123456789'

let double: StripeDouble
let stores: StorePair | undefined
let server: TestServer
let api: Api
let admin: Account
let instance: StorePair['apiFor']
let buyers: Account[]

type EmailRow = {
  id: number | string
  key: string
  kind: string
  state: string
  attempts: number
  to?: string | null
  lastError?: string | null
  order: number | string
}
type CardOrder = OrderView & { payment?: { stripeSessionId?: string | null } }

beforeAll(async () => {
  double = await new StripeDouble().start()
  stores = await startStorePair({
    ...double.storeEnv(SECRET),
    EMAIL_RETRY_BASE_MS: '200',
    EMAIL_MAX_ATTEMPTS: '6',
  })
  ;({ server, api, admin, apiFor: instance } = stores)
  buyers = await customersViaLocalApi(server.payload, api, 4, 'mail')
}, 300_000)

afterAll(async () => {
  await stores?.stop()
  await double?.stop()
})

const mailsAbout = (orderNumber: string): Mail[] =>
  server.mailbox.messages.filter((mail) => mail.subject.includes(orderNumber))

async function emailsOf(order: number | string): Promise<EmailRow[]> {
  const found = await server.payload.find({
    collection: 'order-emails',
    where: { order: { equals: order } },
    sort: 'createdAt',
    depth: 0,
  })
  return found.docs as unknown as EmailRow[]
}

/** Waits for the emails of `order` to be settled (none pending or being sent). */
const settled = (order: number | string, count: number, timeoutMs = 15_000) =>
  eventually(
    () => emailsOf(order),
    (rows) => rows.length === count && rows.every((row) => row.state === 'sent' || row.state === 'failed'),
    timeoutMs,
  )

async function codOrder(buyer: Account, item: Doc, target: Api = api): Promise<OrderView> {
  expect((await addToCart(target, buyer.token, item.id, 2)).status).toBe(200)
  const res = await checkoutCod(target, buyer.token)
  expect(res.status).toBe(201)
  return res.body.order
}

const setStatus = (order: OrderView, status: string) =>
  api(`/api/orders/${order.id}`, { method: 'PATCH', token: admin.token, json: { status } })

describe('order emails', () => {
  it('confirms a cash-on-delivery order with its lines, totals and link, in text and HTML', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Copper kettle', price: 1999 }))
    const order = await codOrder(buyers[0]!, item)
    const mail = await server.mailbox.waitFor((m) => m.subject === `Order ${order.orderNumber} confirmed`)
    expect(mail.to).toContain(buyers[0]!.email)
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Copper kettle')
      expect(body).toContain('$39.98')
      expect(body).toContain(`$${(order.total / 100).toFixed(2)}`)
      expect(body).toContain(`${STOREFRONT}/orders/${order.id}`)
    }
    expect(mail.html).toMatch(/<table>/)
    const [row] = await settled(order.id, 1)
    expect(row).toMatchObject({ kind: 'confirmation', state: 'sent', attempts: 1, to: buyers[0]!.email })
  }, 30_000)

  it('sends shipped and cancelled (no payment taken) once each', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 1000 }))
    const shipped = await codOrder(buyers[1]!, item)
    expect((await setStatus(shipped, 'processing')).status).toBe(200)
    expect((await setStatus(shipped, 'shipped')).status).toBe(200)
    await server.mailbox.waitFor((m) => m.subject === `Order ${shipped.orderNumber} has shipped`)
    const cancelled = await codOrder(buyers[1]!, item)
    const cancel = await api(`/api/orders/${cancelled.id}/cancel`, {
      method: 'POST',
      token: buyers[1]!.token,
    })
    expect(cancel.status).toBe(200)
    const mail = await server.mailbox.waitFor(
      (m) => m.subject === `Order ${cancelled.orderNumber} was cancelled`,
    )
    expect(mail.text).toContain('No payment was taken')
    expect((await settled(shipped.id, 2)).map((row) => row.kind)).toEqual(['confirmation', 'shipped'])
    expect((await settled(cancelled.id, 2)).map((row) => row.kind)).toEqual(['confirmation', 'cancelled'])
    expect(mailsAbout(shipped.orderNumber)).toHaveLength(2)
    expect(mailsAbout(cancelled.orderNumber)).toHaveLength(2)
  }, 30_000)

  it('an SMTP server refusing for a while delays the email, never the checkout; it arrives once', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 500 }))
    server.mailbox.refuseNext(3)
    const started = Date.now()
    const order = await codOrder(buyers[2]!, item)
    const answeredIn = Date.now() - started
    // Back-off: 200, 400, 800 ms after the three refusals.
    const mail = await server.mailbox.waitFor(
      (m) => m.subject === `Order ${order.orderNumber} confirmed`,
      20_000,
    )
    expect(mail.to).toContain(buyers[2]!.email)
    expect(server.mailbox.refused).toBeGreaterThanOrEqual(3)
    const [row] = await settled(order.id, 1)
    expect(row).toMatchObject({ state: 'sent', attempts: 4 })
    expect(mailsAbout(order.orderNumber)).toHaveLength(1)
    expect(answeredIn).toBeLessThan(5000)
  }, 40_000)

  it('ends failed after the last attempt; an admin resends it, a customer may not', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 700 }))
    server.mailbox.refuseNext(6)
    const order = await codOrder(buyers[3]!, item)
    const [failed] = await settled(order.id, 1, 30_000)
    expect(failed).toMatchObject({ state: 'failed', attempts: 6 })
    expect(failed?.lastError).toMatch(/Temporarily unavailable|reject/i)
    expect(mailsAbout(order.orderNumber)).toHaveLength(0)

    const path = `/api/order-emails/${failed!.id}/resend`
    expect((await api(path, { method: 'POST', token: buyers[3]!.token })).status).toBe(403)
    expect((await api(path, { method: 'POST' })).status).toBe(401)
    expect(
      (await api('/api/order-emails/999999/resend', { method: 'POST', token: admin.token })).status,
    ).toBe(404)
    // Two admins clicking at once: one queues it, the other is told it already is.
    const clicks = await Promise.all(
      [0, 1].map((i) => instance(i)(path, { method: 'POST', token: admin.token })),
    )
    expect(clicks.map((click) => click.status).sort()).toEqual([202, 409])
    await server.mailbox.waitFor((m) => m.subject === `Order ${order.orderNumber} confirmed`)
    expect((await settled(order.id, 1))[0]).toMatchObject({ state: 'sent', attempts: 1 })
    // A sent email can be sent again on purpose.
    expect((await api(path, { method: 'POST', token: admin.token })).status).toBe(202)
    await eventually(
      async () => mailsAbout(order.orderNumber).length,
      (count) => count === 2,
    )
    expect(mailsAbout(order.orderNumber)).toHaveLength(2)
  }, 60_000)

  it('only admins read the outbox (REST and GraphQL); nobody writes it', async () => {
    expect((await api('/api/order-emails', { token: buyers[0]!.token })).status).toBe(403)
    const listed = await api<{ docs: EmailRow[] }>('/api/order-emails', { token: admin.token })
    expect(listed.status).toBe(200)
    expect(listed.body.docs.length).toBeGreaterThan(0)
    const id = listed.body.docs[0]!.id
    expect(
      (
        await api(`/api/order-emails/${id}`, {
          method: 'PATCH',
          token: admin.token,
          json: { state: 'pending' },
        })
      ).status,
    ).toBe(403)
    const graphql = await api<{ data?: { OrderEmails: unknown } | null; errors?: unknown[] }>(
      '/api/graphql',
      {
        token: buyers[0]!.token,
        json: { query: '{ OrderEmails { docs { id to } } }' },
      },
    )
    expect(graphql.body.data?.OrderEmails ?? null).toBeNull()
  })
})

describe('exactly once, across instances and redeliveries', () => {
  it('a card payment delivered 5× at once, on both instances, confirms once; its refund is one email', async () => {
    const item = await create(api, admin.token, 'products', product({ title: 'Teapot', price: 3000 }))
    const buyer = buyers[0]!
    expect((await addToCart(api, buyer.token, item.id, 1)).status).toBe(200)
    const res = await api<{ order: CardOrder }>('/api/checkout', {
      token: buyer.token,
      json: { paymentMethod: 'card', shippingAddress: ADDRESS },
    })
    expect(res.status).toBe(201)
    const order = res.body.order
    // Placing a card order sends nothing yet.
    expect(await emailsOf(order.id)).toHaveLength(0)
    const session = double.complete(order.payment?.stripeSessionId ?? '')
    const same = double.signedPayload(double.event('checkout.session.completed', session), SECRET)
    const post = (target: Api, signed: { body: string; signature: string }) =>
      target('/api/stripe/webhook', {
        method: 'POST',
        body: signed.body,
        headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signed.signature },
      })
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => post(instance(i), same)))
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200))
    // And as distinct events (a Stripe retry with a new id, the sweep's own).
    await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        post(instance(i), double.signedPayload(double.event('checkout.session.completed', session), SECRET)),
      ),
    )
    await server.mailbox.waitFor((m) => m.subject === `Order ${order.orderNumber} confirmed`)
    expect((await settled(order.id, 1)).map((row) => row.kind)).toEqual(['confirmation'])

    // The admin cancels the paid order: it is refunded at once, and the email says so.
    expect(
      (await instance(1)(`/api/orders/${order.id}/cancel`, { method: 'POST', token: admin.token })).status,
    ).toBe(200)
    const cancelled = await server.mailbox.waitFor(
      (m) => m.subject === `Order ${order.orderNumber} was cancelled`,
    )
    expect(cancelled.text).toContain('A refund of $')
    const rows = await settled(order.id, 3)
    expect(rows.map((row) => row.kind).sort()).toEqual(['cancelled', 'confirmation', 'refunded'])
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(mailsAbout(order.orderNumber)).toHaveLength(3)
  }, 60_000)

  it('emails due while SMTP was down are sent once when it returns, with both instances polling', async () => {
    const item = await create(api, admin.token, 'products', product({ price: 800, stock: 50 }))
    server.mailbox.refuseNext(8)
    const orders = await Promise.all(buyers.map((buyer, i) => codOrder(buyer, item, instance(i))))
    for (const order of orders) await settled(order.id, 1, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (const order of orders) {
      expect(mailsAbout(order.orderNumber)).toHaveLength(1)
      expect((await emailsOf(order.id))[0]).toMatchObject({ state: 'sent' })
    }
  }, 60_000)
})
