import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import sharp from 'sharp'

import { product as productData } from '../helpers/catalog'
import { client } from '../helpers/http'
import type { Api, ApiOptions, ApiResponse } from '../helpers/http'
import { ADDRESS } from '../helpers/shop'
import { startTestServer } from '../helpers/store/inProcess'
import type { TestServer } from '../helpers/store/inProcess'
import { firstAdmin, uniqueEmail, verifiedCustomer } from '../helpers/users'
import type { Account } from '../helpers/users'
import { newToken } from '../../src/guests/tokens'
import { isMember } from './matrix'
import type { Actor, Member } from './matrix'

// The server every cell runs against, its accounts, and the requests and documents the cells
// share. Set by startRbacServer() (the test file's beforeAll); ES module bindings are live, so
// the other files see the values once it has run.

const mediaDir = mkdtempSync(path.join(tmpdir(), 'rbac-media-'))
export const WEBHOOK_SECRET = 'whsec_rbac_test'

export type Id = number | string
export type Doc = { id: Id; [key: string]: unknown }
export type LocalFile = { data: Buffer; mimetype: string; name: string; size: number }
export type AsUser = Doc & { collection: 'users' }

/** The Local API with the collection as a plain string: the matrix names collections as data. */
export type Local = {
  create(args: {
    collection: string
    data: Record<string, unknown>
    user?: AsUser
    file?: LocalFile
    disableVerificationEmail?: boolean
  }): Promise<Doc>
  update(args: { collection: string; id: Id; data: Record<string, unknown>; trash?: boolean }): Promise<Doc>
  findByID(args: {
    collection: string
    id: Id
    trash?: boolean
    depth?: number
    disableErrors?: boolean
    showHiddenFields?: boolean
  }): Promise<Doc | null>
  find(args: {
    collection: string
    where?: Record<string, unknown>
    depth?: number
    limit?: number
    showHiddenFields?: boolean
  }): Promise<{ docs: Doc[] }>
  count(args: { collection: string; trash?: boolean }): Promise<{ totalDocs: number }>
  delete(args: { collection: string; where: Record<string, unknown> }): Promise<unknown>
}

export let server: TestServer
export let api: Api
export let local: Local
export let accounts: Record<Member, Account>
export let users: Record<Member, AsUser>

/**
 * The guests' tokens: the cart token of the guest cart last made (cartHolder sends it as
 * X-Cart-Token) and the order token of the guest order last made (orderHolder, X-Order-Token).
 */
export const guestTokens = { cart: '', order: '' }
export let shelfProduct: Doc
export let image: Buffer

/** Every answer anyone got, to check afterwards that nothing leaked. */
export const answers: { actor: Actor; text: string }[] = []

export const tokenOf = (actor: Actor): string | undefined =>
  isMember(actor) ? accounts[actor].token : undefined

/** A guest's credential: its token header, and no login. */
export function guestHeaders(actor: Actor): Record<string, string> {
  if (actor === 'cartHolder') return { 'X-Cart-Token': guestTokens.cart }
  if (actor === 'orderHolder') return { 'X-Order-Token': guestTokens.order }
  return {}
}

export async function rest<T = Record<string, unknown>>(
  actor: Actor,
  url: string,
  options: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const res = await api<T>(url, {
    ...options,
    headers: { ...guestHeaders(actor), ...options.headers },
    token: tokenOf(actor),
  })
  answers.push({ actor, text: res.text })
  return res
}

export type GraphQLAnswer = {
  data?: Record<string, unknown> | null
  errors?: { message: string; extensions?: { statusCode?: number } }[]
}

/** A GraphQL call, answered as a status: the first error's status, or 200 with data. */
export async function graphql(
  actor: Actor,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; data: Record<string, unknown> }> {
  const res = await rest<GraphQLAnswer>(actor, '/api/graphql', { json: { query, variables } })
  const error = res.body.errors?.[0]
  if (error)
    return { status: error.extensions?.statusCode ?? (res.status === 200 ? 400 : res.status), data: {} }
  return { status: res.status, data: res.body.data ?? {} }
}

export let sequence = 0
export const next = (): number => ++sequence

export const png = (size: number): Promise<Buffer> =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer()

export const file = (): LocalFile => ({
  data: image,
  mimetype: 'image/png',
  name: `img-${next()}.png`,
  size: image.length,
})

const address = { ...ADDRESS, line2: null, phone: null, country: 'GB' }

export async function freshCustomer(): Promise<Doc> {
  return local.create({
    collection: 'users',
    data: { email: uniqueEmail('fresh'), password: 'fresh-pass-123', roles: ['customer'], _verified: true },
    disableVerificationEmail: true,
  })
}

export async function pendingOrder(
  customer: Id | null,
  history: Record<string, unknown>[] = [],
): Promise<Doc> {
  const n = next()
  return local.create({
    collection: 'orders',
    data: {
      orderNumber: `RBAC-${Date.now()}-${n}`,
      customer,
      items: [
        {
          product: shelfProduct.id,
          title: String(shelfProduct.title),
          sku: String(shelfProduct.sku),
          unitPrice: 1999,
          quantity: 1,
          lineTotal: 1999,
        },
      ],
      subtotal: 1999,
      discount: 0,
      shipping: 0,
      total: 1999,
      currency: 'usd',
      paymentMethod: 'cod',
      paymentStatus: 'unpaid',
      status: 'pending',
      shippingAddress: address,
      statusHistory: history,
    },
  })
}

/** A guest's pending order; orderHolder holds its token from now on. */
export async function guestOrder(): Promise<Doc> {
  const order = await pendingOrder(null)
  const { token, hash } = newToken()
  await server.payload.db.updateOne({
    collection: 'orders',
    id: order.id,
    data: { email: uniqueEmail('rbac-guest'), orderTokenHash: hash },
  })
  guestTokens.order = token
  return order
}

/** A guest's cart holding the shelf product; cartHolder holds its token from now on. */
export async function guestCart(): Promise<Doc> {
  const { token, hash } = newToken()
  const cart = await local.create({
    collection: 'carts',
    data: { tokenHash: hash, items: [{ product: shelfProduct.id, quantity: 1 }] },
  })
  guestTokens.cart = token
  return cart
}

/** Replaces the customer's cart (one per customer) with a fresh one holding the shelf product. */
export async function freshCart(customer: Id): Promise<Doc> {
  await local.delete({ collection: 'carts', where: { customer: { equals: customer } } })
  return local.create({
    collection: 'carts',
    data: { customer, items: [{ product: shelfProduct.id, quantity: 1 }] },
  })
}

export async function startRbacServer(): Promise<void> {
  server = await startTestServer({
    MEDIA_DIR: mediaDir,
    STRIPE_SECRET_KEY: 'sk_test_rbac',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // Nothing here talks to Stripe; a closed port makes sure nothing tries.
    STRIPE_API_URL: 'http://127.0.0.1:9',
    STRIPE_SWEEP_INTERVAL_S: '86400',
  })
  api = client(server.url)
  local = server.payload as unknown as Local
  image = await png(400)
  const admin = await firstAdmin(api)
  const [customer, otherCustomer] = [
    await verifiedCustomer(api, server.mailbox, 'owner'),
    await verifiedCustomer(api, server.mailbox, 'other'),
  ]
  accounts = { customer, otherCustomer, admin }
  const asUser = async (account: Account): Promise<AsUser> => {
    const doc = await local.findByID({ collection: 'users', id: account.id, depth: 0 })
    if (!doc) throw new Error('account vanished')
    return { ...doc, collection: 'users' }
  }
  users = {
    customer: await asUser(customer),
    otherCustomer: await asUser(otherCustomer),
    admin: await asUser(admin),
  }
  shelfProduct = await local.create({ collection: 'products', data: productData({ stock: 1000 }) })
  // Booting (a schema push on PostgreSQL) and three real sign-ups: slow on a loaded machine.
}

export async function stopRbacServer(): Promise<void> {
  await server?.stop()
  rmSync(mediaDir, { recursive: true, force: true })
}
