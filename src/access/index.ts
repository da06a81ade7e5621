import { Forbidden, NotFound } from 'payload'
import type { Access, Endpoint, FieldAccess, PayloadRequest, SanitizedConfig, Where } from 'payload'

import { tokenHashFrom } from '../guests/tokens'

// Every access rule of the store lives here. Ownership is returned as a query constraint
// (not a boolean) so that lists filter themselves instead of failing.

type WithUser = Pick<PayloadRequest, 'user'>

export function isAdmin(req: WithUser): boolean {
  return Boolean(req.user?.roles?.includes('admin'))
}

export const anyone: Access = () => true

export const authenticated: Access = ({ req }) => Boolean(req.user)

export const adminOnly: Access = ({ req }) => isAdmin(req)

export const adminOnlyField: FieldAccess = ({ req }) => isAdmin(req)

/** Nobody over the API: written by the server through the Local API only. */
export const nobody: Access = () => false

/** Users: an admin sees everyone, a customer only their own account. */
export const adminOrSelf: Access = ({ req }) => {
  if (isAdmin(req)) return true
  if (!req.user) return false
  return { id: { equals: req.user.id } }
}

/** Documents with an owner relationship: admins see all, a user what they own. */
export const adminOrOwner =
  (field: string): Access =>
  ({ req }) => {
    if (isAdmin(req)) return true
    if (!req.user) return false
    return { [field]: { equals: req.user.id } }
  }

/**
 * Orders: admins see all, a customer their own, and a caller without a login the one guest order
 * whose X-Order-Token they hold (its hash, src/guests/tokens.ts); nobody else anything. A guest
 * order has no customer, so no customer's constraint ever matches it.
 */
export const adminOwnerOrOrderToken: Access = ({ req }) => {
  if (isAdmin(req)) return true
  if (req.user) return { customer: { equals: req.user.id } } satisfies Where
  const tokenHash = req.headers ? tokenHashFrom(req.headers, 'x-order-token') : undefined
  const ownToken: Where = { orderTokenHash: { equals: tokenHash } }
  return tokenHash === undefined ? false : ownToken
}

/** Public documents plus the caller's own private ones (media: catalog images and avatars). */
export const publicOrOwner =
  (ownerField: string, privateField: string): Access =>
  ({ req }) => {
    if (isAdmin(req)) return true
    const isPublic: Where = { [privateField]: { not_equals: true } }
    if (!req.user) return isPublic
    return { or: [isPublic, { [ownerField]: { equals: req.user.id } }] }
  }

/** Gate for the admin panel itself. */
export const adminPanel = ({ req }: { req: PayloadRequest }): boolean => isAdmin(req)

// Catalog visibility. Trash must be excluded explicitly: a filter on `status` alone still lets
// anyone list trashed documents with `?trash=true`.
const notTrashed: Where = { deletedAt: { exists: false } }

/** Products: admins see everything; everyone else published, untrashed ones only. */
export const publishedProducts: Access = ({ req }) =>
  isAdmin(req) ? true : { and: [{ status: { equals: 'published' } }, notTrashed] }

/**
 * Variants: admins see everything; everyone else the published, untrashed variants of published,
 * untrashed products (a trashed or draft product hides all of its variants).
 */
export const publishedVariants: Access = ({ req }) =>
  isAdmin(req)
    ? true
    : {
        and: [
          { status: { equals: 'published' } },
          notTrashed,
          { 'product.status': { equals: 'published' } },
          { 'product.deletedAt': { exists: false } },
        ],
      }

/** Categories: admins see the trash too; everyone else only live categories. */
export const liveCategories: Access = ({ req }) => (isAdmin(req) ? true : notTrashed)

const PREFERENCES = 'payload-preferences'

/** An admin's own admin-panel preferences. */
const ownPreferences: Access = ({ req }) => {
  if (!req.user || !isAdmin(req)) return false
  const mine: Where[] = [
    { 'user.value': { equals: req.user.id } },
    { 'user.relationTo': { equals: req.user.collection } },
  ]
  return { and: mine }
}

/**
 * Payload's `/api/payload-preferences/:key` handlers skip access control (any logged-in user
 * reads and writes their own), and deleting a key that does not exist fails with a 500.
 */
const adminPreferenceEndpoint = (endpoint: Endpoint): Endpoint => ({
  ...endpoint,
  handler: async (req) => {
    if (!req.user || !isAdmin(req)) throw new Forbidden(req.t)
    if (endpoint.method === 'delete') {
      const key = req.routeParams?.key
      const { totalDocs } = await req.payload.count({
        collection: PREFERENCES,
        where: { and: [{ key: { equals: key } }, { 'user.value': { equals: req.user.id } }] },
        req,
      })
      if (totalDocs === 0) throw new NotFound(req.t)
    }
    return endpoint.handler(req)
  },
})

/**
 * Payload adds two collections of its own for the admin panel, open to any logged-in user:
 * `payload-locked-documents` (edit locks: a customer could see which documents admins are
 * editing, forge locks in an admin's name or remove theirs) and `payload-preferences` (UI state:
 * free storage for anyone with an account). Only admins use the panel, so only admins get them.
 */
export function restrictPayloadCollections(config: SanitizedConfig): SanitizedConfig {
  for (const collection of config.collections) {
    if (collection.slug === 'payload-locked-documents') {
      collection.access = {
        ...collection.access,
        create: adminOnly,
        read: adminOnly,
        update: adminOnly,
        delete: adminOnly,
      }
    }
    if (collection.slug === PREFERENCES) {
      collection.access = {
        ...collection.access,
        create: adminOnly,
        read: ownPreferences,
        update: ownPreferences,
        delete: ownPreferences,
      }
      if (collection.endpoints) collection.endpoints = collection.endpoints.map(adminPreferenceEndpoint)
    }
  }
  return config
}
