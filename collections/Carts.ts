import type { CollectionConfig } from 'payload'

import { adminOnly, adminOrOwner } from '../src/access'
import { cartEndpoints } from '../endpoints/cart'

// One cart per customer. Customers use /api/carts/mine… (endpoints/cart.ts), which always answer
// the whole cart priced from the catalog; the documents themselves hold only what was chosen.
export const Carts: CollectionConfig = {
  slug: 'carts',
  admin: { group: 'Sales', useAsTitle: 'id', defaultColumns: ['customer', 'items', 'coupon', 'updatedAt'] },
  access: { read: adminOrOwner('customer'), create: adminOnly, update: adminOnly, delete: adminOnly },
  endpoints: cartEndpoints,
  // Carts change only through their owner's cart endpoints and checkout, never in an editing
  // session in the admin: document locking would add two queries to every cart write for nothing.
  lockDocuments: false,
  fields: [
    {
      name: 'customer',
      type: 'relationship',
      relationTo: 'users',
      required: true,
      unique: true,
      index: true,
    },
    {
      name: 'items',
      type: 'array',
      fields: [
        { name: 'product', type: 'relationship', relationTo: 'products', required: true },
        { name: 'quantity', type: 'number', required: true, min: 1 },
      ],
    },
    { name: 'coupon', type: 'relationship', relationTo: 'coupons' },
  ],
}
