import type { CollectionConfig, Field } from 'payload'

import { adminOrOwner, authenticated } from '../../src/access'
import { storedCountry, validateCountry } from '../../src/addresses/country'
import { forgetDeletedDefault, readIsDefault, writeIsDefault } from './hooks/keepDefault'
import { ownAddress } from './hooks/ownAddress'

// A customer's address book. Each customer sees and changes only their own (another's id is a
// 404, REST and GraphQL); admins all. Checkout takes one by `addressId` and copies it into the
// order, so editing or deleting an address never changes an order.

const text = (name: string, maxLength: number, required = false): Field => ({
  name,
  type: 'text',
  required,
  maxLength,
})

export const ADDRESS_FIELDS: Field[] = [
  text('name', 120, true),
  text('line1', 200, true),
  text('line2', 200),
  text('city', 100, true),
  text('region', 100),
  {
    name: 'postalCode',
    type: 'text',
    required: true,
    maxLength: 12,
    validate: (value: unknown) =>
      typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/.test(value.trim())
        ? true
        : 'Must be a postal code.',
  },
  {
    name: 'country',
    type: 'text',
    required: true,
    maxLength: 2,
    validate: validateCountry,
    hooks: {
      beforeValidate: [({ value }) => storedCountry(value)],
    },
  },
  {
    name: 'phone',
    type: 'text',
    maxLength: 30,
    validate: (value: unknown) =>
      value === null ||
      value === undefined ||
      value === '' ||
      (typeof value === 'string' && /^\+?[0-9 ()-]{5,30}$/.test(value))
        ? true
        : 'Must be a phone number.',
  },
]

export const Addresses: CollectionConfig = {
  slug: 'addresses',
  admin: {
    group: 'Customers',
    useAsTitle: 'name',
    defaultColumns: ['name', 'line1', 'city', 'country', 'customer', 'isDefault'],
  },
  access: {
    read: adminOrOwner('customer'),
    create: authenticated,
    update: adminOrOwner('customer'),
    delete: adminOrOwner('customer'),
  },
  hooks: {
    beforeChange: [ownAddress],
    afterChange: [writeIsDefault],
    afterDelete: [forgetDeletedDefault],
  },
  fields: [
    {
      name: 'customer',
      type: 'relationship',
      relationTo: 'users',
      index: true,
      // Set by the server from the caller (src: hooks/ownAddress.ts); admins may name a customer.
      access: { update: () => false },
      admin: { position: 'sidebar' },
    },
    ...ADDRESS_FIELDS,
    {
      name: 'isDefault',
      type: 'checkbox',
      // Not stored on the address: read from the customer's one default (src/addresses/defaults.ts).
      virtual: true,
      hooks: { afterRead: [readIsDefault] },
      admin: { position: 'sidebar', description: 'The customer has one default address at most.' },
    },
  ],
}
