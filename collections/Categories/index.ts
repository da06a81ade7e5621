import type { CollectionConfig } from 'payload'

import { adminOnly, liveCategories } from '../../src/access'
import { slugField } from '../../src/catalog/slug'
import { refreshProductCategoryTrees } from './hooks/refreshProductCategoryTrees'
import { preventCycles } from './hooks/preventCycles'

export const Categories: CollectionConfig = {
  slug: 'categories',
  trash: true,
  admin: {
    useAsTitle: 'name',
    group: 'Catalog',
    defaultColumns: ['name', 'slug', 'parent', 'image', 'updatedAt'],
    listSearchableFields: ['name', 'slug'],
  },
  access: { read: liveCategories, create: adminOnly, update: adminOnly, delete: adminOnly },
  hooks: {
    beforeValidate: [preventCycles],
    afterChange: [refreshProductCategoryTrees],
  },
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 120, index: true },
    slugField('name'),
    { name: 'image', type: 'upload', relationTo: 'media' },
    {
      name: 'parent',
      type: 'relationship',
      relationTo: 'categories',
      index: true,
      admin: { position: 'sidebar', description: 'Leave empty for a top-level category.' },
    },
  ],
}
