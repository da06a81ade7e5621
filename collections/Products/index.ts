import type { CollectionConfig } from 'payload'

import { adminOnly, publishedProducts } from '../../src/access'
import { MAX_OPTIONS, MAX_OPTION_VALUES, optionListProblem, optionsOf } from '../../src/catalog/options'
import { slugField } from '../../src/catalog/slug'
import { publishStatusField } from '../../src/catalog/status'
import { stockField, stockRevisionField } from '../../src/inventory/fields'
import { bumpStockRevision } from '../../src/inventory/stockRevision'
import { isMinorUnits, validateMinorUnits } from '../../src/money'
import { computeAllCategories } from './hooks/computeAllCategories'
import { deleteVariants, guardOptions } from './hooks/guardOptions'
import { publishedVariants } from './hooks/publishedVariants'

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
    beforeChange: [computeAllCategories, guardOptions],
    afterChange: [bumpStockRevision('products')],
    afterDelete: [deleteVariants],
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
        stockField,
      ],
    },
    stockRevisionField,
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
      // Sizes, colours…: a product with options is sold only through its variants.
      name: 'options',
      type: 'array',
      maxRows: MAX_OPTIONS,
      validate: (value: unknown) => optionListProblem(optionsOf(value)) ?? true,
      admin: {
        description: `Up to ${MAX_OPTIONS} options (Size, Colour…), each with its values; add the variants below.`,
      },
      fields: [
        { name: 'name', type: 'text', required: true, maxLength: 40 },
        {
          name: 'values',
          type: 'text',
          hasMany: true,
          required: true,
          minRows: 1,
          maxRows: MAX_OPTION_VALUES,
        },
      ],
    },
    {
      // The published variants, read from the variants collection (never stored here).
      name: 'variants',
      type: 'array',
      virtual: true,
      access: { create: () => false, update: () => false },
      hooks: { afterRead: [publishedVariants] },
      admin: { disabled: true },
      fields: [
        // A row's id is its variant's id (a number on SQL, text on MongoDB), not an array row id.
        { name: 'id', type: 'text', typescriptSchema: [() => ({ type: ['number', 'string'] })] },
        { name: 'title', type: 'text' },
        { name: 'options', type: 'json' },
        { name: 'sku', type: 'text' },
        { name: 'price', type: 'number' },
        { name: 'stock', type: 'number' },
        { name: 'stockRevision', type: 'number' },
        { name: 'image', type: 'upload', relationTo: 'media' },
      ],
    },
    publishStatusField,
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
