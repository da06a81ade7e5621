import type { CollectionBeforeOperationHook, CollectionConfig } from 'payload'

import { adminOnly, adminOrOwner, nobody } from '../src/access'
import { filtersOnLines, lineProblem, normaliseLines } from '../src/cart/lines'
import { cartEndpoints } from '../endpoints/cart'
import { ClientRefusal } from '../src/errors'

// One cart per customer, or per guest token (a guest cart has no customer and is found by the
// SHA-256 of its token, src/cart/owner.ts). Customers and guests use /api/carts/mine… (endpoints/cart.ts), which always answer
// the whole cart priced from the catalog; the documents themselves hold only what was chosen.
// Every change the endpoints and checkout make is one conditional write of the row, guarded by
// `revision` (src/cart/storage.ts).
// The lines are one JSON value: the adapters' JSON path queries either fail (a 500 on SQLite) or
// answer wrongly for a list of objects, so filters on them are refused outright.
const refuseFiltersOnLines: CollectionBeforeOperationHook = ({ args }) => {
  if ('where' in args && filtersOnLines(args.where)) {
    throw new ClientRefusal('items: the lines of a cart cannot be filtered on.', 400, null)
  }
  return args
}

export const Carts: CollectionConfig = {
  slug: 'carts',
  admin: { group: 'Sales', useAsTitle: 'id', defaultColumns: ['customer', 'items', 'coupon', 'updatedAt'] },
  // Nobody creates a cart over the API, admins included (no "+" in the admin UI): a cart is made
  // for its customer the first time they use /api/carts/mine (src/cart/storage.ts).
  access: { read: adminOrOwner('customer'), create: nobody, update: adminOnly, delete: adminOnly },
  endpoints: cartEndpoints,
  hooks: { beforeOperation: [refuseFiltersOnLines] },
  // Carts change only through their owner's cart endpoints and checkout, never in an editing
  // session in the admin: document locking would add two queries to every cart write for nothing.
  lockDocuments: false,
  fields: [
    {
      name: 'customer',
      type: 'relationship',
      relationTo: 'users',
      // Empty on a guest cart.
      unique: true,
      index: true,
      // A cart belongs to the customer it was made for: handing it to another makes no sense.
      admin: { readOnly: true },
    },
    {
      // A guest cart's key: the SHA-256 of its token (src/guests/tokens.ts), never the token, and
      // never shown through any API (REST, GraphQL, the admin).
      name: 'tokenHash',
      type: 'text',
      unique: true,
      index: true,
      hidden: true,
    },
    {
      // [{product, variant?, quantity}] in one column, so that a cart write is one statement (src/cart/lines.ts).
      name: 'items',
      type: 'json',
      defaultValue: [],
      admin: { readOnly: true, description: 'Products (ids) and quantities; the customer changes them.' },
      hooks: { beforeValidate: [({ value, req }) => normaliseLines(value, req.payload)] },
      validate: (value: unknown, { req }) => lineProblem(value, req.payload) ?? true,
      typescriptSchema: [
        () => ({
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['product', 'quantity'],
            properties: {
              product: { type: 'number' },
              variant: { type: 'number' },
              quantity: { type: 'number' },
            },
          },
        }),
      ],
    },
    { name: 'coupon', type: 'relationship', relationTo: 'coupons' },
    {
      // Bumped by every write: a cart change is written only if nobody wrote since it was read.
      name: 'revision',
      type: 'number',
      // Not required: API clients (GraphQL's input types) must not have to send it; hooks set it.
      defaultValue: 0,
      admin: { readOnly: true, position: 'sidebar' },
      // Writes through Payload's API (the admin's) bump it too, so a change read before them is
      // retried rather than written over them. The cart endpoints write with payload.db directly.
      hooks: {
        beforeChange: [
          ({ operation, originalDoc }) =>
            operation === 'create'
              ? 0
              : (Number((originalDoc as { revision?: unknown } | undefined)?.revision) || 0) + 1,
        ],
      },
    },
  ],
}
