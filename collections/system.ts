import type { CollectionConfig } from 'payload'

import { adminOnly, nobody } from '../src/access'

// Bookkeeping the checkout needs to stay correct across requests and instances. Each row is
// changed only by single conditional statements (src/db/guardedWrite.ts), never read-modify-write.
// Admins may look; nobody writes over the API: a hand-made or deleted row would reuse order
// numbers, exceed coupon limits, replay a checkout or apply a Stripe event twice.

const systemAccess = { read: adminOnly, create: nobody, update: nobody, delete: nobody }
// Out of the operator's way: not in the navigation nor on the admin home (`group: false`), while
// /admin/collections/<slug> still opens for an admin debugging the store (read access decides).
const hidden = { group: false } as const

/** Named counters (order numbers). */
export const Counters: CollectionConfig = {
  slug: 'counters',
  admin: { ...hidden, useAsTitle: 'name' },
  access: systemAccess,
  fields: [
    { name: 'name', type: 'text', required: true, unique: true, index: true },
    { name: 'value', type: 'number', required: true, defaultValue: 0 },
  ],
}

/**
 * How often one customer used one coupon, for `maxUsesPerCustomer` (a guest without an account:
 * keyed by their email, no customer; src/coupons/usage.ts).
 */
export const CouponUsages: CollectionConfig = {
  slug: 'coupon-usages',
  admin: { ...hidden, useAsTitle: 'key' },
  access: systemAccess,
  fields: [
    { name: 'key', type: 'text', required: true, unique: true, index: true },
    { name: 'coupon', type: 'relationship', relationTo: 'coupons', required: true, index: true },
    { name: 'customer', type: 'relationship', relationTo: 'users', index: true },
    { name: 'count', type: 'number', required: true, defaultValue: 0 },
  ],
}

/** Stripe events already applied: a delivery whose id is here is a duplicate. */
export const StripeEvents: CollectionConfig = {
  slug: 'stripe-events',
  admin: { ...hidden, useAsTitle: 'eventId', defaultColumns: ['eventId', 'type', 'order', 'createdAt'] },
  access: systemAccess,
  fields: [
    { name: 'eventId', type: 'text', required: true, unique: true, index: true },
    { name: 'type', type: 'text', required: true },
    { name: 'order', type: 'relationship', relationTo: 'orders' },
  ],
}

/** `Idempotency-Key`s of checkouts: the first answer, stored, replayed to retries. */
export const IdempotencyKeys: CollectionConfig = {
  slug: 'idempotency-keys',
  admin: { ...hidden, useAsTitle: 'key', defaultColumns: ['key', 'state', 'status', 'createdAt'] },
  access: systemAccess,
  fields: [
    { name: 'key', type: 'text', required: true, unique: true, index: true },
    // Empty for a guest checkout (keyed by its cart token's hash instead).
    { name: 'customer', type: 'relationship', relationTo: 'users', index: true },
    { name: 'requestHash', type: 'text', required: true },
    {
      name: 'state',
      type: 'select',
      required: true,
      defaultValue: 'processing',
      options: ['processing', 'done'],
    },
    { name: 'status', type: 'number' },
    { name: 'response', type: 'json' },
    { name: 'order', type: 'relationship', relationTo: 'orders' },
  ],
}
