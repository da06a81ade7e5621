import { z } from 'zod'

import { collectionDocument, collectionInput } from './describe'
import type { Audience, OperationDoc, ResponseDoc } from './describe'
import {
  Count,
  Credentials,
  ListQuery,
  Message,
  ReadQuery,
  changed,
  changedMany,
  listPage,
  me,
  refreshed,
  signedIn,
} from './payloadShapes'

// Payload's generated REST routes that clients use, described per collection from who may read
// and write it (src/access). The shapes come from payloadShapes.ts and the collection configs.

export type Route = { method: string; path: string; doc: OperationDoc }

type CollectionAccess = {
  slug: string
  tag: string
  read: Audience
  write: Audience
  /** Who reads which documents, in words (the access rule behind `read`). */
  reads: string
  create?: Audience
  update?: Audience
  delete?: Audience
  /** Why every write is refused (403), admins' too, when the store alone writes the collection. */
  refusedWrites?: string
}

/** The collections a storefront or an admin dashboard uses over REST. */
export const DESCRIBED_COLLECTIONS: readonly CollectionAccess[] = [
  {
    slug: 'products',
    tag: 'Catalog',
    read: 'anyone',
    write: 'admin',
    reads: 'published, untrashed products (admins: all)',
  },
  {
    slug: 'categories',
    tag: 'Catalog',
    read: 'anyone',
    write: 'admin',
    reads: 'untrashed categories (admins: all)',
  },
  { slug: 'brands', tag: 'Catalog', read: 'anyone', write: 'admin', reads: 'every brand' },
  {
    slug: 'media',
    tag: 'Catalog',
    read: 'anyone',
    write: 'admin',
    reads: 'public media and your own avatar',
  },
  {
    slug: 'variants',
    tag: 'Catalog',
    read: 'anyone',
    write: 'admin',
    reads: 'published, untrashed variants of published products (admins: all)',
  },
  {
    slug: 'orders',
    tag: 'Orders',
    read: 'order',
    write: 'admin',
    reads: 'your own orders; a guest, the one order of its `X-Order-Token` (admins: all)',
  },
  { slug: 'carts', tag: 'Cart', read: 'user', write: 'admin', reads: 'your own cart (admins: all)' },
  {
    slug: 'addresses',
    tag: 'Addresses',
    read: 'user',
    write: 'user',
    delete: 'user',
    reads: 'your own saved addresses (admins: all)',
  },
  {
    slug: 'shipping-methods',
    tag: 'Shipping and tax',
    read: 'anyone',
    write: 'admin',
    reads: 'enabled methods (admins: all)',
  },
  { slug: 'tax-rates', tag: 'Shipping and tax', read: 'admin', write: 'admin', reads: 'admins only' },
  { slug: 'coupons', tag: 'Coupons', read: 'admin', write: 'admin', reads: 'admins only' },
  {
    slug: 'order-emails',
    tag: 'Orders',
    read: 'admin',
    write: 'admin',
    reads: 'admins only',
    refusedWrites:
      'the store alone queues and sends order emails; an admin sends one again with `POST /api/order-emails/{id}/resend`',
  },
  {
    slug: 'users',
    tag: 'Users',
    read: 'user',
    write: 'admin',
    create: 'anyone',
    update: 'user',
    reads: 'your own account (admins: all)',
  },
]

const idParam = { id: 'the document id' }
const WhereQuery = ListQuery.pick({ where: true, depth: true })

function collectionRoutes(c: CollectionAccess): Route[] {
  const routes = allCollectionRoutes(c)
  const refused = c.refusedWrites
  if (!refused) return routes
  return routes.map((route) =>
    route.method === 'get'
      ? route
      : {
          ...route,
          doc: {
            ...route.doc,
            description: `Refused for everyone, admins too: ${refused}.`,
            responses: { 403: { description: 'refused' } },
          },
        },
  )
}

function allCollectionRoutes(c: CollectionAccess): Route[] {
  const { slug, tag } = c
  const create = c.create ?? c.write
  const update = c.update ?? c.write
  const upload = slug === 'media'
  const body = upload
    ? z.object({
        file: z.string().meta({ format: 'binary' }).describe('the image (JPEG, PNG, WebP, GIF, AVIF)'),
        _payload: z.string().optional().describe('the other fields, as JSON text'),
      })
    : collectionInput(slug)
  const bodyMediaType = upload ? 'multipart/form-data' : undefined
  const created = { 201: { description: 'created', body: changed(slug) } }
  const found = { 200: { description: 'the document', body: collectionDocument(slug) } }
  const notFound = { 404: { description: 'no such document, or not yours to see' } }
  // Payload refuses an anonymous read outright when the access rule gives it nothing to match.
  const anonymous: Record<number, ResponseDoc> =
    c.read === 'order' ? { 403: { description: 'neither logged in nor an order token' } } : {}
  return [
    {
      method: 'get',
      path: '/',
      doc: {
        summary: `List ${slug}`,
        description: `Readable: ${c.reads}.`,
        tag,
        audience: c.read,
        query: ListQuery,
        responses: { 200: { description: 'one page', body: listPage(slug) }, ...anonymous },
      },
    },
    {
      method: 'get',
      path: '/count',
      doc: {
        summary: `Count ${slug}`,
        tag,
        audience: c.read,
        query: WhereQuery,
        responses: { 200: { description: 'how many match', body: Count }, ...anonymous },
      },
    },
    {
      method: 'get',
      path: '/:id',
      doc: {
        summary: `Read one of ${slug}`,
        description: `Readable: ${c.reads}.`,
        tag,
        audience: c.read,
        params: idParam,
        query: ReadQuery,
        responses: { ...found, ...notFound, ...anonymous },
      },
    },
    {
      method: 'post',
      path: '/',
      doc: {
        summary: slug === 'users' ? 'Register a customer' : `Create one of ${slug}`,
        description:
          slug === 'users'
            ? 'Public registration: the account is a customer and must verify its email before it can log in. A `roles` value is refused (403).'
            : undefined,
        tag,
        audience: create,
        body,
        bodyMediaType,
        responses: slug === 'users' ? { ...created, ...rateLimited } : created,
      },
    },
    {
      method: 'patch',
      path: '/:id',
      doc: {
        summary: `Update one of ${slug}`,
        tag,
        audience: update,
        params: idParam,
        body,
        bodyMediaType,
        responses: { 200: { description: 'updated', body: changed(slug) }, ...notFound },
      },
    },
    {
      method: 'patch',
      path: '/',
      doc: {
        summary: `Update every ${slug} document matching \`where\``,
        tag,
        audience: 'admin',
        query: WhereQuery,
        body: collectionInput(slug),
        responses: { 200: { description: 'the documents changed', body: changedMany(slug) } },
      },
    },
    {
      method: 'delete',
      path: '/:id',
      doc: {
        summary: `Delete one of ${slug} (permanently)`,
        tag,
        audience: c.delete ?? 'admin',
        params: idParam,
        responses: { 200: { description: 'deleted', body: changed(slug) }, ...notFound },
      },
    },
    {
      method: 'delete',
      path: '/',
      doc: {
        summary: `Delete every ${slug} document matching \`where\``,
        tag,
        audience: 'admin',
        query: WhereQuery,
        responses: { 200: { description: 'the documents deleted', body: changedMany(slug) } },
      },
    },
    ...(upload
      ? [
          {
            method: 'get',
            path: '/file/:filename',
            doc: {
              summary: 'The stored file of a media document (or one of its sizes)',
              tag,
              audience: 'anyone' as const,
              params: { filename: 'the file name from the document (`url` ends with it)' },
              responses: { 200: { description: 'the image bytes' }, ...notFound },
            },
          },
        ]
      : []),
  ]
}

const tokenAnswer = (description: string) => ({
  200: { description, body: signedIn('users') },
  ...rateLimited,
})
const rateLimited = {
  429: {
    description: 'too many auth requests from this address (RATE_LIMIT_AUTH_MAX)',
    headers: { 'Retry-After': 'seconds' },
  },
}

/** Payload's auth routes of `users`. */
const AUTH_ROUTES: Route[] = [
  {
    method: 'post',
    path: '/login',
    doc: {
      summary: 'Log in',
      description:
        'Answers a JWT (send it as `Authorization: JWT <token>`) and sets the `payload-token` cookie. An unverified account answers 403; repeated failures lock the account for a while (401).',
      tag: 'Users',
      audience: 'anyone',
      body: Credentials,
      responses: {
        ...tokenAnswer('logged in'),
        401: { description: 'wrong email or password, or the account is locked' },
        403: { description: 'the email is not verified yet' },
      },
    },
  },
  {
    method: 'post',
    path: '/logout',
    doc: {
      summary: 'Log out (clears the cookie)',
      tag: 'Users',
      audience: 'user',
      responses: { 200: { description: 'logged out', body: Message } },
    },
  },
  {
    method: 'get',
    path: '/me',
    doc: {
      summary: 'The account of the caller',
      description: '`user` is null without (trusted) credentials.',
      tag: 'Users',
      audience: 'anyone',
      responses: { 200: { description: 'the caller', body: me('users') } },
    },
  },
  {
    method: 'post',
    path: '/refresh-token',
    doc: {
      summary: 'A new token for the caller',
      tag: 'Users',
      audience: 'user',
      responses: { 200: { description: 'a fresh token', body: refreshed('users') } },
    },
  },
  {
    method: 'post',
    path: '/forgot-password',
    doc: {
      summary: 'Email a password reset link',
      description: 'Answers the same whether or not the address has an account.',
      tag: 'Users',
      audience: 'anyone',
      body: z.object({ email: z.email() }),
      responses: { 200: { description: 'sent if the account exists', body: Message }, ...rateLimited },
    },
  },
  {
    method: 'post',
    path: '/reset-password',
    doc: {
      summary: 'Set a new password with the emailed token',
      tag: 'Users',
      audience: 'anyone',
      body: z.object({ token: z.string().min(1), password: z.string().min(1) }),
      responses: tokenAnswer('password changed, logged in'),
    },
  },
  {
    method: 'post',
    path: '/verify/:id',
    doc: {
      summary: 'Verify an email address',
      tag: 'Users',
      audience: 'anyone',
      params: { id: 'the token from the verification email' },
      responses: { 200: { description: 'verified', body: Message }, ...rateLimited },
    },
  },
  {
    method: 'post',
    path: '/first-register',
    doc: {
      summary: 'Create the first account (an admin) while there is none',
      tag: 'Users',
      audience: 'anyone',
      body: Credentials.extend({ 'confirm-password': z.string().optional() }),
      responses: tokenAnswer('the first admin, logged in'),
    },
  },
  {
    method: 'get',
    path: '/init',
    doc: {
      summary: 'Whether the first account exists',
      tag: 'Users',
      audience: 'anyone',
      responses: { 200: { description: 'initialised or not', body: z.object({ initialized: z.boolean() }) } },
    },
  },
  {
    method: 'post',
    path: '/unlock',
    doc: {
      summary: 'Unlock a locked account',
      tag: 'Users',
      audience: 'admin',
      body: z.object({ email: z.email() }),
      responses: { 200: { description: 'unlocked', body: Message } },
    },
  },
]

/** Every generated route described, by collection slug. */
export function generatedRoutes(): Map<string, Route[]> {
  return new Map(
    DESCRIBED_COLLECTIONS.map((c) => [
      c.slug,
      [...collectionRoutes(c), ...(c.slug === 'users' ? AUTH_ROUTES : [])],
    ]),
  )
}

/** GraphQL: one route, described by its schema at /api/graphql (introspection). */
export const GRAPHQL_ROUTE: Route = {
  method: 'post',
  path: '/graphql',
  doc: {
    summary: 'GraphQL',
    description:
      "Payload's GraphQL API over the same collections and access rules; its schema answers introspection. Depth and cost are limited (400).",
    tag: 'GraphQL',
    audience: 'anyone',
    body: z.object({
      query: z.string(),
      variables: z.record(z.string(), z.unknown()).optional(),
      operationName: z.string().optional(),
    }),
    responses: {
      200: {
        description: 'the result (errors included, graphql-over-HTTP)',
        body: z.object({
          data: z.unknown().optional(),
          errors: z.array(z.looseObject({ message: z.string() })).optional(),
        }),
      },
    },
  },
}

/**
 * Routes the server has but does not describe, each with why: admin-UI internals and bookkeeping
 * no client needs. The coverage test holds the server's routes to this list plus the document.
 */
export const UNDESCRIBED_COLLECTIONS: Readonly<Record<string, string>> = {
  counters: 'system bookkeeping (order numbers): admins read it in the admin UI, nobody writes',
  'coupon-usages': 'system bookkeeping (per-customer coupon counts): admins read, nobody writes',
  'idempotency-keys': 'system bookkeeping (checkout replays): admins read, nobody writes',
  'stripe-events': 'system bookkeeping (Stripe events applied): admins read, nobody writes',
  'payload-kv': "Payload's internal key-value store",
  'payload-locked-documents': "the admin UI's edit locks (admins only)",
  'payload-preferences': "the admin UI's preferences (admins only)",
  'payload-migrations': "Payload's migration log (no REST routes)",
}

/** Routes of every described collection that are not described, as `METHOD /path`. */
export const UNDESCRIBED_ROUTES: Readonly<Record<string, string>> = {
  'get /versions': 'no collection keeps versions: 404 for every collection',
  'get /versions/:id': 'no collection keeps versions: 404 for every collection',
  'post /versions/:id': 'no collection keeps versions: 404 for every collection',
  'post /:id/duplicate': "the admin UI's duplicate button",
  'post /access/:id?': "the admin UI's per-document permissions",
  'get /paste-url/:id?': "the admin UI's paste-an-image-URL helper",
}

/** Root routes not described: `METHOD /path`. */
export const UNDESCRIBED_ROOT_ROUTES: Readonly<Record<string, string>> = {
  'get /access': "the admin UI's permissions of the caller",
}
