import type { CollectionConfig } from 'payload'

import { adminOnly, isAdmin } from '../src/access'
import { COUNTRY_MESSAGE, countryCode, storedCountry } from '../src/addresses/country'
import { validateMinorUnits } from '../src/money'

// How orders ship, at what price, to where (src/shipping/methods.ts). Admins write; anyone reads
// the enabled ones. While any method is enabled, checkout requires one that serves the address.

export const ShippingMethods: CollectionConfig = {
  slug: 'shipping-methods',
  admin: {
    group: 'Sales',
    useAsTitle: 'name',
    defaultColumns: ['name', 'price', 'freeAbove', 'countries', 'enabled'],
  },
  access: {
    read: ({ req }) => (isAdmin(req) ? true : { enabled: { equals: true } }),
    create: adminOnly,
    update: adminOnly,
    delete: adminOnly,
  },
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 100 },
    {
      name: 'price',
      type: 'number',
      required: true,
      min: 0,
      validate: validateMinorUnits,
      admin: { description: 'Minor units (cents).' },
    },
    {
      name: 'freeAbove',
      type: 'number',
      min: 0,
      validate: validateMinorUnits,
      admin: {
        description:
          'Ships free when the subtotal after discount is at least this (minor units); empty: never.',
      },
    },
    {
      name: 'countries',
      type: 'text',
      hasMany: true,
      admin: { description: 'ISO 3166-1 alpha-2 codes this method ships to; empty: everywhere.' },
      hooks: {
        beforeValidate: [({ value }) => (Array.isArray(value) ? value.map(storedCountry) : value)],
      },
      validate: (value: unknown) => {
        if (value === null || value === undefined) return true
        if (!Array.isArray(value)) return `Countries ${COUNTRY_MESSAGE}.`
        const wrong = value.filter((code) => !countryCode(code))
        return wrong.length === 0 ? true : `Countries ${COUNTRY_MESSAGE} (not ${wrong.join(', ')}).`
      },
    },
    { name: 'enabled', type: 'checkbox', defaultValue: true, index: true, admin: { position: 'sidebar' } },
  ],
}
