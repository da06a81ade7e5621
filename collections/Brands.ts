import type { CollectionConfig } from 'payload'

import { adminOnly, anyone } from '../src/access'
import { slugField } from '../src/catalog/slug'

export const Brands: CollectionConfig = {
  slug: 'brands',
  admin: {
    useAsTitle: 'name',
    group: 'Catalog',
    defaultColumns: ['name', 'slug', 'image', 'updatedAt'],
    listSearchableFields: ['name', 'slug'],
  },
  access: { read: anyone, create: adminOnly, update: adminOnly, delete: adminOnly },
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 120, index: true },
    slugField('name'),
    { name: 'image', type: 'upload', relationTo: 'media' },
  ],
}
