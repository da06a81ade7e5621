// Who may do what: the store's access policy as data, the expectation the rules in
// src/access/index.ts must meet. Nothing at run time reads it: test/rbac.test.ts runs every cell
// against a real server (REST and GraphQL); `npm run docs:security` renders it into
// docs/SECURITY.md, and a test keeps that file in step.

import { AUTH_INTERNAL_FIELDS } from '../../src/access/authInternals'

export const ACTORS = [
  'anonymous',
  'cartHolder',
  'orderHolder',
  'customer',
  'otherCustomer',
  'admin',
] as const
export type Actor = (typeof ACTORS)[number]
/** The actors that log in (the others hold, at most, a guest's cart or order token). */
export type Member = Exclude<Actor, 'anonymous' | 'cartHolder' | 'orderHolder'>
export const isMember = (actor: Actor): actor is Member =>
  actor === 'customer' || actor === 'otherCustomer' || actor === 'admin'

export const ACTOR_NAMES: Record<Actor, string> = {
  anonymous: 'anonymous',
  cartHolder: 'guest (cart token)',
  orderHolder: 'guest (order token)',
  customer: 'customer (owner)',
  otherCustomer: 'another customer',
  admin: 'admin',
}

export const OPERATIONS = ['create', 'read', 'update', 'delete'] as const
export type Operation = (typeof OPERATIONS)[number]

/**
 * One actor × one operation.
 * - `all`: allowed on every document (create: 201, read/update/delete: 200).
 * - `only`: allowed on the listed kinds of document only. Reads filter themselves: a list leaves
 *   the others out and their id answers 404; updating or deleting one of the others answers 403.
 *   An empty list means "only their own, and none of the test's documents are theirs".
 * - `denied`: the whole operation is refused with this status and changes nothing.
 */
export type Rule<V extends string = string> =
  | { readonly kind: 'all' }
  | { readonly kind: 'only'; readonly variants: readonly V[]; readonly note: string }
  | { readonly kind: 'denied'; readonly status: 401 | 403 | 404 }

export const all = { kind: 'all' } as const
export const denied = (status: 401 | 403 | 404 = 403) => ({ kind: 'denied', status }) as const
export const only = <V extends string>(variants: readonly V[], note: string) =>
  ({ kind: 'only', variants, note }) as const

type PerActor<V extends string> = Readonly<Record<Actor, Rule<V>>>
/** Guests (no login, a cart or an order token) get what anonymous callers get, unless said otherwise. */
const guests = <V extends string>(rule: Rule<V>) => ({ cartHolder: rule, orderHolder: rule })
const everyone = <V extends string>(rule: Rule<V>): PerActor<V> => ({
  anonymous: rule,
  ...guests(rule),
  customer: rule,
  otherCustomer: rule,
  admin: rule,
})
const adminOnlyRule = <V extends string>(): PerActor<V> => ({
  anonymous: denied(),
  ...guests(denied()),
  customer: denied(),
  otherCustomer: denied(),
  admin: all,
})

export type CollectionPolicy<V extends string = string> = {
  readonly slug: string
  readonly title: string
  /** GraphQL names: list query, single query; mutations are create/update/delete + singular. */
  readonly graphql: { readonly plural: string; readonly singular: string; readonly create: boolean }
  /** Kinds of document the test creates, and what they are. "customer" is always the owner. */
  readonly variants: Readonly<Record<V, string>>
  /** Uses Payload's trash: reads are checked with `trash=true`, so trashed documents must stay hidden. */
  readonly trash?: boolean
  /** REST `GET`/`DELETE /api/<slug>/<x>` are Payload's by-key endpoints (listed with the endpoints). */
  readonly restByIdIsKey?: boolean
  readonly rules: Readonly<Record<Operation, PerActor<V>>>
  readonly notes?: readonly string[]
}

const collection = <V extends string>(policy: CollectionPolicy<V>): CollectionPolicy<V> => policy

const catalogWrites = {
  create: adminOnlyRule(),
  update: adminOnlyRule(),
  delete: adminOnlyRule(),
}

const systemNote =
  'Bookkeeping written by the server only (checkout, Stripe events). Admins may read it in the admin panel, which keeps it out of its navigation and home (open `/admin/collections/<slug>` to debug); nobody writes it over the API: a hand-made row would break order numbering, coupon limits, idempotency or Stripe de-duplication.'

const systemCollection = (slug: string, title: string, plural: string, singular: string) =>
  collection({
    slug,
    title,
    graphql: { plural, singular, create: true },
    variants: { row: 'a row written by the server' },
    rules: {
      create: everyone(denied()),
      read: adminOnlyRule(),
      update: everyone(denied()),
      delete: everyone(denied()),
    },
    notes: [systemNote],
  })

export const COLLECTIONS = [
  collection({
    slug: 'products',
    title: 'Products',
    graphql: { plural: 'Products', singular: 'Product', create: true },
    trash: true,
    variants: {
      published: 'a published product',
      draft: 'a draft',
      trashed: 'a trashed (published) product',
    },
    rules: {
      read: {
        anonymous: only(['published'], 'published, untrashed only'),
        ...guests(only(['published'], 'published, untrashed only')),
        customer: only(['published'], 'published, untrashed only'),
        otherCustomer: only(['published'], 'published, untrashed only'),
        admin: all,
      },
      ...catalogWrites,
    },
    notes: [
      'Drafts and trashed products are invisible to non-admins, also with `?trash=true`: a list leaves them out, their id answers 404.',
      'Trash is `PATCH {"deletedAt": …}` (an update); `DELETE` removes permanently. Both admin only.',
    ],
  }),
  collection({
    slug: 'variants',
    title: 'Variants',
    graphql: { plural: 'Variants', singular: 'Variant', create: true },
    trash: true,
    variants: {
      published: 'a published variant of a published product',
      draft: 'a draft variant',
      trashed: 'a trashed (published) variant',
      ofDraft: 'a published variant of a draft product',
    },
    rules: {
      read: {
        anonymous: only(['published'], 'published, untrashed, of a published product'),
        ...guests(only(['published'], 'published, untrashed, of a published product')),
        customer: only(['published'], 'published, untrashed, of a published product'),
        otherCustomer: only(['published'], 'published, untrashed, of a published product'),
        admin: all,
      },
      ...catalogWrites,
    },
    notes: [
      'A variant is visible to non-admins only while it and its product are published and untrashed, also with `?trash=true`.',
    ],
  }),
  collection({
    slug: 'brands',
    title: 'Brands',
    graphql: { plural: 'Brands', singular: 'Brand', create: true },
    variants: { brand: 'a brand' },
    rules: { read: everyone(all), ...catalogWrites },
  }),
  collection({
    slug: 'categories',
    title: 'Categories',
    graphql: { plural: 'Categories', singular: 'Category', create: true },
    trash: true,
    variants: { live: 'a category', trashed: 'a trashed category' },
    rules: {
      read: {
        anonymous: only(['live'], 'untrashed only'),
        ...guests(only(['live'], 'untrashed only')),
        customer: only(['live'], 'untrashed only'),
        otherCustomer: only(['live'], 'untrashed only'),
        admin: all,
      },
      ...catalogWrites,
    },
  }),
  collection({
    slug: 'media',
    title: 'Media (uploads)',
    graphql: { plural: 'allMedia', singular: 'Media', create: false },
    variants: {
      public: 'an image uploaded by an admin (public)',
      private: "the customer's own upload (private)",
    },
    rules: {
      create: { anonymous: denied(), ...guests(denied()), customer: all, otherCustomer: all, admin: all },
      read: {
        anonymous: only(['public'], 'public files only'),
        ...guests(only(['public'], 'public files only')),
        customer: only(['public', 'private'], 'public files and their own uploads'),
        otherCustomer: only(['public'], "public files only: another's private upload is a 404"),
        admin: all,
      },
      update: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['private'], 'their own uploads only'),
        otherCustomer: only([], 'their own uploads only (403 on any other)'),
        admin: all,
      },
      delete: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['private'], 'their own uploads only'),
        otherCustomer: only([], 'their own uploads only (403 on any other)'),
        admin: all,
      },
    },
    notes: [
      'Uploads are REST multipart only (`POST /api/media`); GraphQL has no file input, so its create is not offered.',
      'The file itself (`/api/media/file/<name>`, and every resized variant) follows the same read rule: a private file is 403 to anyone but its owner and admins.',
    ],
  }),
  collection({
    slug: 'users',
    title: 'Users',
    graphql: { plural: 'Users', singular: 'User', create: true },
    variants: { self: "the customer's own account", admin: "the admin's account" },
    rules: {
      create: everyone(all),
      read: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['self'], 'their own account only; any other id is a 404'),
        otherCustomer: only([], 'their own account only; any other id is a 404'),
        admin: all,
      },
      update: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['self'], 'their own account only (403 on any other)'),
        otherCustomer: only([], 'their own account only (403 on any other)'),
        admin: all,
      },
      delete: adminOnlyRule(),
    },
    notes: [
      'Registration (`POST /api/users`) is public and always makes a customer: a non-admin sending `roles` other than the default `["customer"]` (which GraphQL\'s `createUser` requires), or any auth field, gets 403.',
      '`POST /api/users/first-register` works only while no user exists (then 403) and makes that user an admin.',
      "Registering an address that already has an account answers exactly as a new registration (201, same shape, over REST and GraphQL) and emails the address's owner instead; nothing is created or changed. Admins get Payload's 400.",
    ],
  }),
  collection({
    slug: 'carts',
    title: 'Carts',
    graphql: { plural: 'Carts', singular: 'Cart', create: true },
    variants: { own: "the customer's cart", guest: "a guest's cart" },
    rules: {
      create: everyone(denied()),
      read: {
        anonymous: denied(),
        // The cart token opens /api/carts/mine… only, not the collection.
        ...guests(denied()),
        customer: only(['own'], 'their own cart only'),
        otherCustomer: only([], "their own cart only; another's id is a 404"),
        admin: all,
      },
      update: adminOnlyRule(),
      delete: adminOnlyRule(),
    },
    notes: [
      'Customers change their cart only through `/api/carts/mine…` (below), which prices it from the catalog.',
      "A guest's cart has no customer and is reached only through `/api/carts/mine…` with its `X-Cart-Token`; the token is stored as a SHA-256 hash (`tokenHash`) that no API ever answers, admins included.",
      'A cart is created for its customer by their first `/api/carts/mine…` request, never by hand: not even an admin creates one (the admin UI offers no "+").',
    ],
  }),
  collection({
    slug: 'orders',
    title: 'Orders',
    graphql: { plural: 'Orders', singular: 'Order', create: true },
    variants: { own: "the customer's order", guest: "a guest's order" },
    rules: {
      create: everyone(denied()),
      read: {
        anonymous: denied(),
        cartHolder: denied(),
        orderHolder: only(['guest'], 'the one order whose `X-Order-Token` they hold; any other id is a 404'),
        customer: only(['own'], 'their own orders only'),
        otherCustomer: only([], "their own orders only; another's id is a 404"),
        admin: all,
      },
      update: adminOnlyRule(),
      delete: adminOnlyRule(),
    },
    notes: [
      'Orders are created by `POST /api/checkout` only, even for admins.',
      'Admins change only `status` (along the allowed transitions); every other field is a snapshot nobody can change.',
      'Customers cancel through `POST /api/orders/<id>/cancel` (below).',
      "A guest's order has no customer (until a customer verifies its email) and reaches no customer's, anonymous or GraphQL read; its `X-Order-Token` reads it (REST and GraphQL) and cancels it, nothing else. The token is stored as a SHA-256 hash (`orderTokenHash`) that no API ever answers.",
    ],
  }),
  collection({
    slug: 'addresses',
    title: 'Addresses',
    graphql: { plural: 'Addresses', singular: 'Address', create: true },
    variants: { own: "the customer's address" },
    rules: {
      create: { anonymous: denied(), ...guests(denied()), customer: all, otherCustomer: all, admin: all },
      read: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['own'], 'their own addresses only'),
        otherCustomer: only([], "their own addresses only; another's id is a 404"),
        admin: all,
      },
      update: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['own'], 'their own addresses only'),
        otherCustomer: only([], 'their own addresses only'),
        admin: all,
      },
      delete: {
        anonymous: denied(),
        ...guests(denied()),
        customer: only(['own'], 'their own addresses only'),
        otherCustomer: only([], 'their own addresses only'),
        admin: all,
      },
    },
    notes: [
      'A new address belongs to the customer who saves it, whatever the body says (an admin may name the customer); no one moves it to another customer afterwards.',
      '`isDefault` is read from the one default each customer has (at most one, whatever the concurrency).',
    ],
  }),
  collection({
    slug: 'shipping-methods',
    title: 'Shipping methods',
    graphql: { plural: 'ShippingMethods', singular: 'ShippingMethod', create: true },
    variants: { enabled: 'an enabled method', disabled: 'a disabled method' },
    rules: {
      read: {
        anonymous: only(['enabled'], 'enabled methods only'),
        ...guests(only(['enabled'], 'enabled methods only')),
        customer: only(['enabled'], 'enabled methods only'),
        otherCustomer: only(['enabled'], 'enabled methods only'),
        admin: all,
      },
      ...catalogWrites,
    },
    notes: [
      'Customers see what each method costs for their cart through `/api/carts/mine/shipping-methods`.',
    ],
  }),
  collection({
    slug: 'tax-rates',
    title: 'Tax rates',
    graphql: { plural: 'TaxRates', singular: 'TaxRate', create: true },
    variants: { rate: 'a tax rate' },
    rules: {
      create: adminOnlyRule(),
      read: adminOnlyRule(),
      update: adminOnlyRule(),
      delete: adminOnlyRule(),
    },
    notes: [
      'Customers see the tax of their cart (`?country=`) and order (`tax`, `taxLines`), never the table.',
    ],
  }),
  collection({
    slug: 'coupons',
    title: 'Coupons',
    graphql: { plural: 'Coupons', singular: 'Coupon', create: true },
    variants: { coupon: 'a coupon' },
    rules: {
      create: adminOnlyRule(),
      read: adminOnlyRule(),
      update: adminOnlyRule(),
      delete: adminOnlyRule(),
    },
    notes: ['Customers never list coupons: they apply a code to their cart.'],
  }),
  collection({
    slug: 'order-emails',
    title: 'Order emails (outbox)',
    graphql: { plural: 'OrderEmails', singular: 'OrderEmail', create: true },
    variants: { row: "an email about the customer's order" },
    rules: {
      create: everyone(denied()),
      read: adminOnlyRule(),
      update: everyone(denied()),
      delete: everyone(denied()),
    },
    notes: [
      'Written by the server with the order change that calls for the email, sent by its outbox sender. Admins watch it and resend an email through `POST /api/order-emails/<id>/resend` (below); nobody writes rows over the API: a forged row would mail a customer, a changed one resend or suppress an email.',
    ],
  }),
  systemCollection('counters', 'Counters (system)', 'Counters', 'Counter'),
  systemCollection('coupon-usages', 'Coupon usages (system)', 'CouponUsages', 'CouponUsage'),
  systemCollection('idempotency-keys', 'Idempotency keys (system)', 'IdempotencyKeys', 'IdempotencyKey'),
  systemCollection('stripe-events', 'Stripe events (system)', 'StripeEvents', 'StripeEvent'),
  collection({
    slug: 'payload-locked-documents',
    title: 'Document locks (Payload, admin panel)',
    graphql: { plural: 'PayloadLockedDocuments', singular: 'PayloadLockedDocument', create: true },
    variants: { lock: 'a lock an admin holds on a product' },
    rules: {
      create: adminOnlyRule(),
      read: adminOnlyRule(),
      update: adminOnlyRule(),
      delete: adminOnlyRule(),
    },
    notes: [
      "Payload's default lets any logged-in user read, forge and remove the admin panel's edit locks; the store restricts them to admins.",
    ],
  }),
  collection({
    slug: 'payload-preferences',
    title: 'Admin panel preferences (Payload)',
    graphql: { plural: 'PayloadPreferences', singular: 'PayloadPreference', create: true },
    variants: { admin: "the admin's preference", customer: "a customer's preference" },
    restByIdIsKey: true,
    rules: {
      create: adminOnlyRule(),
      read: { ...everyone(denied()), admin: only(['admin'], 'their own preferences only') },
      update: { ...everyone(denied()), admin: only(['admin'], 'their own preferences only') },
      delete: { ...everyone(denied()), admin: only(['admin'], 'their own preferences only') },
    },
    notes: [
      "The admin panel's UI state. Payload lets any logged-in user keep their own (free storage for anyone with an account, through handlers that skip access control); the store keeps it to admins, each seeing only their own.",
      'REST `GET`/`POST`/`DELETE /api/payload-preferences/<key>` are the by-key endpoints below, not by-id routes.',
    ],
  }),
] as const satisfies readonly CollectionPolicy[]

/** A custom (or Payload auth) endpoint: the status each actor gets for a well-formed request. */
export type EndpointPolicy = {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  readonly path: string
  readonly what: string
  readonly expect: Readonly<Record<Actor, { readonly status: number; readonly note?: string }>>
}

/** Each actor's status; guests get the anonymous caller's unless `guest` says otherwise. */
const statuses = (
  anonymous: number,
  customer: number,
  otherCustomer: number,
  admin: number,
  notes: Partial<Record<Actor, string>> = {},
  guest: Partial<Record<'cartHolder' | 'orderHolder', number>> = {},
): EndpointPolicy['expect'] => ({
  anonymous: { status: anonymous, note: notes.anonymous },
  cartHolder: { status: guest.cartHolder ?? anonymous, note: notes.cartHolder },
  orderHolder: { status: guest.orderHolder ?? anonymous, note: notes.orderHolder },
  customer: { status: customer, note: notes.customer },
  otherCustomer: { status: otherCustomer, note: notes.otherCustomer },
  admin: { status: admin, note: notes.admin },
})

const ownCart = {
  cartHolder: 'their guest cart',
  customer: 'their own cart',
  otherCustomer: 'their own cart',
  admin: 'their own cart',
}
const guestCart = { cartHolder: 200 }
// `/mine` is always the caller's cart: nobody, admins included, can reach another's through it.
const notInTheirCart = {
  cartHolder: "not in their guest cart; the customer's stays as it was",
  customer: 'their own cart',
  otherCustomer: "not in their cart; the customer's stays as it was",
  admin: "not in their cart; the customer's stays as it was",
}

export const ENDPOINTS: readonly EndpointPolicy[] = [
  {
    method: 'GET',
    path: '/api/carts/mine',
    what: 'read the cart',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'POST',
    path: '/api/carts/mine/items',
    what: 'add an item',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'PATCH',
    path: '/api/carts/mine/items/:productId',
    what: "set a quantity in the customer's cart",
    expect: statuses(401, 200, 404, 404, notInTheirCart, { cartHolder: 404 }),
  },
  {
    method: 'DELETE',
    path: '/api/carts/mine/items/:productId',
    what: "remove an item from the customer's cart",
    expect: statuses(401, 200, 404, 404, notInTheirCart, { cartHolder: 404 }),
  },
  {
    method: 'GET',
    path: '/api/carts/mine/shipping-methods',
    what: 'the shipping methods serving a country, priced for the cart',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'DELETE',
    path: '/api/carts/mine',
    what: 'empty the cart',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'POST',
    path: '/api/carts/mine/coupon',
    what: 'apply a coupon code',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'DELETE',
    path: '/api/carts/mine/coupon',
    what: 'remove the coupon',
    expect: statuses(401, 200, 200, 200, ownCart, guestCart),
  },
  {
    method: 'POST',
    path: '/api/carts/guest',
    what: 'start a guest cart',
    expect: statuses(
      201,
      201,
      201,
      201,
      { anonymous: 'a new empty cart and its token, whoever asks' },
      { cartHolder: 201, orderHolder: 201 },
    ),
  },
  {
    method: 'POST',
    path: '/api/carts/mine/merge',
    what: "merge a guest's cart into the caller's",
    expect: statuses(401, 200, 200, 200, {
      customer: 'into their own cart; the guest cart is gone',
      otherCustomer: 'into their own cart; the guest cart is gone',
      admin: 'into their own cart; the guest cart is gone',
      cartHolder: 'a login is needed: the token alone merges nowhere',
    }),
  },
  {
    method: 'POST',
    path: '/api/checkout',
    what: 'check out the cart (cash on delivery)',
    expect: statuses(
      401,
      201,
      201,
      201,
      {
        cartHolder: "a guest's order (with `email`) from their guest cart, with its `orderToken`",
        customer: 'an order for themself, from their own cart',
        otherCustomer: 'an order for themself, from their own cart',
        admin: 'an order for themself, from their own cart',
      },
      { cartHolder: 201 },
    ),
  },
  {
    method: 'POST',
    path: '/api/orders/:id/cancel',
    what: "cancel the customer's pending order",
    expect: statuses(
      401,
      200,
      404,
      200,
      {
        orderHolder: "their token is another order's: not found, and it stays as it was",
        customer: 'while pending or processing (later: 409)',
        otherCustomer: "another's order is not found, and stays as it was",
      },
      { orderHolder: 404 },
    ),
  },
  {
    method: 'POST',
    path: '/api/orders/:id/cancel',
    what: "cancel a guest's pending order",
    expect: statuses(
      401,
      404,
      404,
      200,
      {
        orderHolder: "with the order's `X-Order-Token`, while pending or processing",
        customer: "a guest's order is no customer's: not found",
      },
      { orderHolder: 200 },
    ),
  },
  {
    method: 'POST',
    path: '/api/order-emails/:id/resend',
    what: 'send an order email again',
    expect: statuses(401, 403, 403, 202, { admin: 'a sent or failed email; one pending or being sent: 409' }),
  },
  {
    method: 'POST',
    path: '/api/notifications/broadcast',
    what: 'broadcast a notification',
    expect: statuses(401, 403, 403, 200),
  },
  {
    method: 'GET',
    path: '/api/dashboard',
    what: "the admin home's figures (orders, revenue, stock, payments, carts)",
    expect: statuses(401, 403, 403, 200),
  },
  {
    method: 'POST',
    path: '/api/stripe/webhook',
    what: 'a Stripe event without a valid signature',
    expect: statuses(400, 400, 400, 400, {
      anonymous: 'the signature is the only credential: a login changes nothing',
    }),
  },
  {
    method: 'POST',
    path: '/api/stripe/webhook',
    what: 'a Stripe event signed with STRIPE_WEBHOOK_SECRET',
    expect: statuses(200, 200, 200, 200),
  },
  { method: 'GET', path: '/api/health', what: 'liveness', expect: statuses(200, 200, 200, 200) },
  { method: 'GET', path: '/api/ready', what: 'readiness', expect: statuses(200, 200, 200, 200) },
  {
    method: 'GET',
    path: '/api/openapi.json',
    what: 'the OpenAPI document',
    expect: statuses(200, 200, 200, 200, {
      anonymous: 'the same document for everyone: it describes, it grants nothing',
    }),
  },
  {
    method: 'GET',
    path: '/api/docs',
    what: 'the interactive reference (and its files under /api/docs/)',
    expect: statuses(200, 200, 200, 200),
  },
  {
    method: 'GET',
    path: '/api/users/me',
    what: 'the logged-in user',
    expect: statuses(200, 200, 200, 200, { anonymous: '`{"user": null}`', customer: 'themself only' }),
  },
  {
    method: 'POST',
    path: '/api/users/first-register',
    what: 'create the first admin once a user exists',
    expect: statuses(403, 403, 403, 403),
  },
  {
    method: 'POST',
    path: '/api/users/unlock',
    what: 'unlock a locked account',
    expect: statuses(403, 403, 403, 200),
  },
  {
    method: 'GET',
    path: '/api/payload-preferences/:key',
    what: 'read an admin panel preference by key',
    expect: statuses(403, 403, 403, 200, { admin: 'their own' }),
  },
  {
    method: 'POST',
    path: '/api/payload-preferences/:key',
    what: 'save an admin panel preference',
    expect: statuses(403, 403, 403, 200, { admin: 'their own' }),
  },
  {
    method: 'DELETE',
    path: '/api/payload-preferences/:key',
    what: 'delete an admin panel preference',
    expect: statuses(403, 403, 403, 200, { admin: 'their own; an unknown key is a 404' }),
  },
  {
    method: 'GET',
    path: '/api/payload-migrations',
    what: "Payload's migration log",
    expect: statuses(501, 501, 501, 501, { anonymous: 'not served over the API at all (Payload: 501)' }),
  },
]

/** Field-level rules, on top of the collection rules above. */
export type FieldRule = { readonly collection: string; readonly fields: string; readonly rule: string }

export const FIELD_RULES: readonly FieldRule[] = [
  {
    collection: 'users',
    fields: '`roles`',
    rule: 'Only admins set or change it. A customer sending it (registering or updating) gets 403 and nothing changes. The first user is always an admin.',
  },
  {
    collection: 'users',
    fields:
      '`_verified`, `loginAttempts`, `lockUntil`, `resetPasswordToken`, `resetPasswordExpiration`, `_verificationToken`, `salt`, `hash`, `sessions`',
    rule: 'A non-admin sending any of them gets 403 and nothing changes.',
  },
  {
    collection: 'users',
    fields: '`email` (and the whole account)',
    rule: "Readable by the account itself and admins only; populated relationships (an order's `statusHistory.by`, a file's `owner`) stay bare ids for anyone else.",
  },
  {
    collection: 'users',
    fields: AUTH_INTERNAL_FIELDS.map((field) => `\`${field}\``).join(', '),
    rule: 'Never in any response (REST, GraphQL, populated relationships at any depth), to anyone, admins included; never usable in a `where` or `sort`, also through a relationship (`owner.sessions.id`): 400.',
  },
  {
    collection: 'users',
    fields: '`email`, `password` (own account)',
    rule: 'Changing them needs `currentPassword` (400 without, 403 when wrong; nothing changes), also for an admin changing their own; an admin changing another account does not. A new email is unverified until the link sent to it is followed (login refused, sessions stop); the old address is told. A new password ends every other session of the account.',
  },
  {
    collection: 'every collection',
    fields: '`id`, `createdAt`, `updatedAt`',
    rule: 'Set by the server: a non-admin sending them (registration, own account, upload, …) gets 400 and nothing is stored.',
  },
  {
    collection: 'media',
    fields: '`owner`',
    rule: 'Set by the server to the uploader; nobody can set or change it.',
  },
  {
    collection: 'media',
    fields: '`private`',
    rule: 'True for every customer upload (avatars), false for admin uploads; only admins change it. A private file is visible to its owner and admins only.',
  },
  {
    collection: 'users',
    fields: '`avatar`',
    rule: 'A customer may only point it at an image they uploaded themself. A stored avatar is not re-judged by saves that leave it as it is (password reset, verification, unlock, a name change).',
  },
  {
    collection: 'orders',
    fields: 'everything but `status`',
    rule: 'A snapshot taken at checkout (`customer`, `items`, prices, `total`, `paymentStatus`, …): ignored on update, even from admins.',
  },
  {
    collection: 'carts, checkout',
    fields: 'prices, totals, owner',
    rule: 'Never taken from the client: the cart and checkout endpoints accept only product ids, quantities, a coupon code and an address (anything else is 400) and price from the catalog.',
  },
  {
    collection: 'coupons',
    fields: '`usedCount`',
    rule: 'Counted by checkout and cancellation; cannot be set on create.',
  },
  {
    collection: 'variants',
    fields: '`title`, `stockRevision`, `combination`',
    rule: 'Derived by the server (`combination`, the options as one unique key, is read by admins only); nobody sets them.',
  },
  {
    collection: 'products',
    fields: '`allCategories`',
    rule: 'Computed from `categories`; nobody sets it.',
  },
]

/** Auth fields kept out of every response (see ./authInternals); the RBAC test checks that none ever leaks. */
export const HIDDEN_USER_FIELDS = AUTH_INTERNAL_FIELDS
