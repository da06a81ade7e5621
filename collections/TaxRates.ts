import type { CollectionConfig } from 'payload'

import { adminOnly } from '../src/access'
import { storedCountry, validateCountry } from '../src/addresses/country'

// Tax per destination (src/shipping/taxes.ts): a region's rates win over its country's. Admins only.

export const TaxRates: CollectionConfig = {
  slug: 'tax-rates',
  admin: {
    group: 'Sales',
    useAsTitle: 'name',
    defaultColumns: ['name', 'country', 'region', 'rate', 'appliesToShipping'],
  },
  access: { read: adminOnly, create: adminOnly, update: adminOnly, delete: adminOnly },
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 100 },
    {
      name: 'country',
      type: 'text',
      required: true,
      index: true,
      hooks: {
        beforeValidate: [({ value }) => storedCountry(value)],
      },
      validate: validateCountry,
    },
    {
      name: 'region',
      type: 'text',
      maxLength: 100,
      admin: { description: "Optional: a state or province; its rates replace the country's there." },
    },
    {
      name: 'rate',
      type: 'number',
      required: true,
      admin: { description: 'Basis points: 2000 = 20 %.' },
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10_000
          ? true
          : 'Must be a whole number of basis points from 0 to 10000 (2000 = 20 %).',
    },
    { name: 'appliesToShipping', type: 'checkbox', defaultValue: false },
  ],
}
