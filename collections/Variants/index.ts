import type { CollectionConfig } from 'payload'

import { adminOnly, adminOnlyField, publishedVariants } from '../../src/access'
import { publishStatusField } from '../../src/catalog/status'
import { stockField, stockRevisionField } from '../../src/inventory/fields'
import { bumpStockRevision } from '../../src/inventory/stockRevision'
import { validateMinorUnits } from '../../src/money'
import { deriveVariant } from './hooks/deriveVariant'

// One document per combination of a product's options the shop sells (M / Red). Product reads
// carry the published ones (collections/Products/hooks/publishedVariants.ts); cart lines and
// orders name them; their stock is taken and given back like a product's (src/inventory/stock.ts).
export const Variants: CollectionConfig = {
  slug: 'variants',
  trash: true,
  admin: {
    useAsTitle: 'title',
    group: 'Catalog',
    defaultColumns: ['image', 'product', 'title', 'sku', 'price', 'stock', 'status'],
    listSearchableFields: ['title', 'sku'],
  },
  access: { read: publishedVariants, create: adminOnly, update: adminOnly, delete: adminOnly },
  hooks: {
    beforeChange: [deriveVariant],
    afterChange: [bumpStockRevision('variants')],
  },
  indexes: [{ fields: ['product', 'combination'], unique: true }],
  fields: [
    { name: 'product', type: 'relationship', relationTo: 'products', required: true, index: true },
    {
      name: 'options',
      type: 'json',
      required: true,
      admin: {
        description: 'One value for each of the product\'s options, e.g. {"Size": "M", "Colour": "Red"}.',
      },
      typescriptSchema: [() => ({ type: 'object', additionalProperties: { type: 'string' } })],
    },
    {
      name: 'title',
      type: 'text',
      access: { create: () => false, update: () => false },
      admin: { readOnly: true, description: 'From the options, in the product\'s order: "M / Red".' },
    },
    {
      // The options as one value, unique with the product: the same combination cannot be stored twice.
      name: 'combination',
      type: 'text',
      access: { read: adminOnlyField, create: () => false, update: () => false },
      admin: { hidden: true },
    },
    {
      type: 'row',
      fields: [
        { name: 'sku', type: 'text', required: true, unique: true, index: true, maxLength: 64 },
        {
          name: 'price',
          type: 'number',
          min: 0,
          validate: validateMinorUnits,
          admin: { description: "In cents; empty: the product's price.", step: 1 },
        },
        stockField,
      ],
    },
    stockRevisionField,
    { name: 'image', type: 'upload', relationTo: 'media' },
    publishStatusField,
  ],
}
