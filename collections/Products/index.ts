import type { CollectionConfig } from 'payload'

import { adminOnly, publishedProducts } from '../../src/access'
import { slugField } from '../../src/catalog/slug'
import { isMinorUnits, validateMinorUnits } from '../../src/money'
import { bumpStockRevision } from './hooks/bumpStockRevision'
import { computeAllCategories } from './hooks/computeAllCategories'

export const MAX_SUB_IMAGES = 10

export const Products: CollectionConfig = {
  slug: 'products',
  trash: true,
  admin: {
    useAsTitle: 'title',
    group: 'Catalog',
    defaultColumns: ['mainImage', 'title', 'sku', 'price', 'stock', 'status', 'brand', 'updatedAt'],
    listSearchableFields: ['title', 'sku', 'slug'],
  },
  access: { read: publishedProducts, create: adminOnly, update: adminOnly, delete: adminOnly },
  hooks: {
    beforeChange: [computeAllCategories],
    afterChange: [bumpStockRevision],
  },
  // Storefront listings filter on status and sort by price or recency.
  indexes: [{ fields: ['status', 'price'] }, { fields: ['status', 'createdAt'] }],
  fields: [
    { name: 'title', type: 'text', required: true, maxLength: 200, index: true },
    slugField('title'),
    { name: 'description', type: 'richText' },
    {
      type: 'row',
      fields: [
        {
          name: 'price',
          type: 'number',
          required: true,
          min: 0,
          index: true,
          validate: validateMinorUnits,
          admin: { description: 'In cents (minor units): 1999 is 19.99.', step: 1 },
        },
        {
          name: 'compareAtPrice',
          type: 'number',
          min: 0,
          validate: (
            value: number | null | undefined,
            { siblingData }: { siblingData: { price?: unknown } },
          ) => {
            if (value === null || value === undefined) return true
            if (!isMinorUnits(value)) return validateMinorUnits(value)
            const price = siblingData.price
            return isMinorUnits(price) && value <= price ? 'Must be higher than the price.' : true
          },
          admin: { description: 'Former price shown struck through; higher than the price.', step: 1 },
        },
      ],
    },
    {
      type: 'row',
      fields: [
        { name: 'sku', type: 'text', required: true, unique: true, index: true, maxLength: 64 },
        {
          name: 'stock',
          type: 'number',
          required: true,
          defaultValue: 0,
          min: 0,
          index: true,
          validate: (value: number | null | undefined) =>
            typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
              ? true
              : 'Must be a whole number, 0 or more.',
          admin: { step: 1 },
        },
      ],
    },
    {
      // Moved by every stock change in the same statement: what a cached answer's stock is as of.
      name: 'stockRevision',
      type: 'number',
      defaultValue: 0,
      access: { create: () => false, update: () => false },
      // A document stored before the field existed (MongoDB has no migration to add it) has had no
      // revisioned stock change yet: revision 0, so its answers can still be cached and overlaid.
      hooks: { afterRead: [({ value }) => (typeof value === 'number' ? value : 0)] },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'brand',
      type: 'relationship',
      relationTo: 'brands',
      index: true,
      admin: { position: 'sidebar' },
    },
    {
      name: 'categories',
      type: 'relationship',
      relationTo: 'categories',
      hasMany: true,
      admin: { position: 'sidebar' },
    },
    { name: 'mainImage', type: 'upload', relationTo: 'media' },
    {
      name: 'images',
      type: 'upload',
      relationTo: 'media',
      hasMany: true,
      maxRows: MAX_SUB_IMAGES,
      admin: { description: `Sub images, at most ${MAX_SUB_IMAGES}.` },
    },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'draft',
      index: true,
      options: [
        { label: 'Draft', value: 'draft' },
        { label: 'Published', value: 'published' },
      ],
      admin: { position: 'sidebar' },
    },
    {
      name: 'allCategories',
      type: 'relationship',
      relationTo: 'categories',
      hasMany: true,
      index: true,
      access: { create: () => false, update: () => false },
      admin: {
        readOnly: true,
        position: 'sidebar',
        description: 'The categories above with all their parents; filter on it to include sub-categories.',
      },
    },
  ],
}
