import { product as productData } from '../helpers/catalog'
import { uniqueEmail } from '../helpers/users'
import {
  file,
  freshCart,
  freshCustomer,
  guestCart,
  guestOrder,
  local,
  next,
  pendingOrder,
  shelfProduct,
  users,
} from './context'
import type { Doc } from './context'
import type { Actor, Operation } from './matrix'
import { ADDRESS } from '../helpers/shop'

/** How the test makes, creates through the API and changes the documents of one collection. */
export type Fixture = {
  /** A fresh document of this kind; `actor`/`operation` only matter where a real account is the document. */
  make: (variant: string, actor: Actor, operation: Operation) => Promise<Doc>
  /** Body of an API create (the caller's own data; REST and GraphQL). */
  createData?: () => Promise<Record<string, unknown>>
  /** Body of an API update, with the value that proves it applied. */
  update: () => Record<string, unknown>
  /** What GraphQL's input types insist on besides (required groups and selects, even with defaults). */
  graphqlCreate?: Record<string, unknown>
  graphqlUpdate?: Record<string, unknown>
}

const optionedProduct = (status: 'draft' | 'published') =>
  local.create({
    collection: 'products',
    data: productData({ status, options: [{ name: 'Size', values: ['S'] }] }),
  })

const variantData = (product: Doc['id'], status: 'draft' | 'published') => ({
  product,
  options: { Size: 'S' },
  sku: `VARIANT-${next()}`,
  stock: 3,
  status,
})

/** An email of the customer's order that failed (so that a resend has something to do). */
export function failedEmail(order: Doc['id']): Record<string, unknown> {
  return {
    key: `${String(order)}:confirmation:${next()}`,
    order,
    kind: 'confirmation',
    state: 'failed',
    attempts: 10,
    nextAttemptAt: new Date().toISOString(),
  }
}

export const FIXTURES: Record<string, Fixture> = {
  products: {
    make: async (variant) => {
      const doc = await local.create({
        collection: 'products',
        data: productData({ status: variant === 'draft' ? 'draft' : 'published' }),
      })
      if (variant !== 'trashed') return doc
      return local.update({
        collection: 'products',
        id: doc.id,
        data: { deletedAt: new Date().toISOString() },
      })
    },
    createData: async () => productData(),
    update: () => ({ title: `Changed ${next()}` }),
  },
  variants: {
    make: async (variant) => {
      const parent = await optionedProduct(variant === 'ofDraft' ? 'draft' : 'published')
      const doc = await local.create({
        collection: 'variants',
        data: variantData(parent.id, variant === 'draft' ? 'draft' : 'published'),
      })
      if (variant !== 'trashed') return doc
      return local.update({
        collection: 'variants',
        id: doc.id,
        data: { deletedAt: new Date().toISOString() },
      })
    },
    createData: async () => variantData((await optionedProduct('published')).id, 'published'),
    update: () => ({ sku: `VARIANT-CHANGED-${next()}` }),
  },
  brands: {
    make: () => local.create({ collection: 'brands', data: { name: `Brand ${next()}` } }),
    createData: async () => ({ name: `Brand ${next()}` }),
    update: () => ({ name: `Renamed ${next()}` }),
  },
  categories: {
    make: async (variant) => {
      const doc = await local.create({ collection: 'categories', data: { name: `Category ${next()}` } })
      if (variant !== 'trashed') return doc
      return local.update({
        collection: 'categories',
        id: doc.id,
        data: { deletedAt: new Date().toISOString() },
      })
    },
    createData: async () => ({ name: `Category ${next()}` }),
    update: () => ({ name: `Renamed ${next()}` }),
  },
  media: {
    make: (variant) =>
      local.create({
        collection: 'media',
        data: { alt: `image ${next()}` },
        user: variant === 'private' ? users.customer : users.admin,
        file: file(),
      }),
    update: () => ({ alt: `changed ${next()}` }),
  },
  users: {
    // Deleting must not take a real actor's account away from the rest of the run.
    make: async (variant, actor, operation) => {
      if (operation === 'delete' && actor === 'admin') {
        if (variant === 'self') return freshCustomer()
        return local.create({
          collection: 'users',
          data: {
            email: uniqueEmail('admin2'),
            password: 'admin2-pass-123',
            roles: ['admin'],
            _verified: true,
          },
          disableVerificationEmail: true,
        })
      }
      return variant === 'self' ? users.customer : users.admin
    },
    createData: async () => ({ email: uniqueEmail('new'), password: 'new-pass-1234' }),
    update: () => ({ name: `Name ${next()}` }),
    graphqlCreate: { roles: ['customer'] },
  },
  carts: {
    make: (variant) => (variant === 'guest' ? guestCart() : freshCart(users.customer.id)),
    createData: async () => ({ customer: (await freshCustomer()).id, items: [] }),
    update: () => ({ items: [] }),
  },
  orders: {
    make: (variant) => (variant === 'guest' ? guestOrder() : pendingOrder(users.customer.id)),
    createData: async () => ({
      orderNumber: `FORGED-${next()}`,
      customer: users.customer.id,
      items: [{ title: 'Forged', sku: 'FORGED', unitPrice: 1, quantity: 1, lineTotal: 1 }],
      subtotal: 1,
      discount: 0,
      shipping: 0,
      total: 1,
      currency: 'usd',
      paymentMethod: 'cod',
      shippingAddress: ADDRESS,
    }),
    update: () => ({ status: 'processing' }),
    graphqlCreate: { status: 'pending', paymentStatus: 'unpaid' },
    graphqlUpdate: { shippingAddress: ADDRESS },
  },
  coupons: {
    make: () =>
      local.create({ collection: 'coupons', data: { code: `RBAC${next()}`, type: 'percent', value: 10 } }),
    createData: async () => ({ code: `NEW${next()}`, type: 'percent', value: 5 }),
    update: () => ({ value: 11 + (next() % 80) }),
  },
  addresses: {
    make: () =>
      local.create({
        collection: 'addresses',
        data: { ...ADDRESS, name: `Home ${next()}`, customer: users.customer.id },
      }),
    createData: async () => ({ ...ADDRESS, name: `New ${next()}` }),
    update: () => ({ name: `Renamed ${next()}` }),
  },
  'shipping-methods': {
    make: (variant) =>
      local.create({
        collection: 'shipping-methods',
        data: { name: `Method ${next()}`, price: 500, enabled: variant !== 'disabled' },
      }),
    createData: async () => ({ name: `New method ${next()}`, price: 700 }),
    update: () => ({ price: 100 + next() }),
  },
  'tax-rates': {
    make: () =>
      local.create({ collection: 'tax-rates', data: { name: `Rate ${next()}`, country: 'GB', rate: 2000 } }),
    createData: async () => ({ name: `New rate ${next()}`, country: 'FR', rate: 2000 }),
    update: () => ({ rate: 100 + next() }),
  },
  'order-emails': {
    make: async () => {
      const order = await pendingOrder(users.customer.id)
      return local.create({ collection: 'order-emails', data: failedEmail(order.id) })
    },
    createData: async () => failedEmail((await pendingOrder(users.customer.id)).id),
    update: () => ({ to: `changed-${next()}@example.test` }),
  },
  counters: {
    make: () => local.create({ collection: 'counters', data: { name: `counter-${next()}`, value: 1 } }),
    createData: async () => ({ name: `forged-${next()}`, value: 1 }),
    update: () => ({ value: 1000 + next() }),
  },
  'coupon-usages': {
    make: async () => {
      const coupon = await fixtureOf('coupons').make('coupon', 'admin', 'read')
      return local.create({
        collection: 'coupon-usages',
        data: { key: `usage-${next()}`, coupon: coupon.id, customer: users.customer.id, count: 1 },
      })
    },
    createData: async () => {
      const coupon = await fixtureOf('coupons').make('coupon', 'admin', 'read')
      return { key: `forged-${next()}`, coupon: coupon.id, customer: users.customer.id, count: 0 }
    },
    update: () => ({ count: 100 + next() }),
  },
  'idempotency-keys': {
    make: () =>
      local.create({
        collection: 'idempotency-keys',
        data: {
          key: `key-${next()}`,
          customer: users.customer.id,
          requestHash: 'h',
          state: 'done',
          status: 201,
        },
      }),
    createData: async () => ({ key: `forged-${next()}`, customer: users.customer.id, requestHash: 'h' }),
    graphqlCreate: { state: 'processing' },
    update: () => ({ status: 300 + (next() % 99) }),
  },
  'stripe-events': {
    make: () =>
      local.create({
        collection: 'stripe-events',
        data: { eventId: `evt_${next()}`, type: 'charge.refunded' },
      }),
    createData: async () => ({ eventId: `evt_forged_${next()}`, type: 'checkout.session.completed' }),
    update: () => ({ type: `changed.${next()}` }),
  },
  'payload-locked-documents': {
    make: () =>
      local.create({
        collection: 'payload-locked-documents',
        data: {
          document: { relationTo: 'products', value: shelfProduct.id },
          user: { relationTo: 'users', value: users.admin.id },
        },
      }),
    createData: async () => ({
      document: { relationTo: 'products', value: shelfProduct.id },
      user: { relationTo: 'users', value: users.admin.id },
      globalSlug: `forged-${next()}`,
    }),
    update: () => ({ globalSlug: `changed-${next()}` }),
  },
  'payload-preferences': {
    make: (variant) =>
      local.create({
        collection: 'payload-preferences',
        data: {
          key: `pref-${next()}`,
          user: { relationTo: 'users', value: variant === 'admin' ? users.admin.id : users.customer.id },
          value: { columns: ['title'] },
        },
        user: variant === 'admin' ? users.admin : users.customer,
      }),
    createData: async () => ({ key: `pref-${next()}`, value: { theme: 'dark' } }),
    update: () => ({ value: { changed: next() } }),
  },
}

export function fixtureOf(slug: string): Fixture {
  const fixture = (FIXTURES as Record<string, Fixture | undefined>)[slug]
  if (!fixture) throw new Error(`no fixture for ${slug}`)
  return fixture
}
