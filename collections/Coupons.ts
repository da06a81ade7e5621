import type { CollectionConfig, FieldHook } from 'payload'

import { adminOnly, adminOnlyField } from '../src/access'
import { normaliseCode } from '../src/coupons/codes'
import { isMinorUnits } from '../src/money'

const normalised: FieldHook = ({ value }) => (typeof value === 'string' ? normaliseCode(value) : value)

const positiveInt = (value: number | null | undefined): true | string =>
  value === null || value === undefined || (Number.isSafeInteger(value) && value >= 1)
    ? true
    : 'Must be a whole number, 1 or more.'

// Customers never read coupons: they apply a code to their cart (src/cart).
export const Coupons: CollectionConfig = {
  slug: 'coupons',
  admin: {
    useAsTitle: 'code',
    group: 'Sales',
    defaultColumns: ['code', 'type', 'value', 'usedCount', 'maxUses', 'active', 'expiresAt'],
    listSearchableFields: ['code'],
  },
  access: { read: adminOnly, create: adminOnly, update: adminOnly, delete: adminOnly },
  fields: [
    {
      name: 'code',
      type: 'text',
      required: true,
      unique: true,
      index: true,
      maxLength: 64,
      hooks: { beforeValidate: [normalised] },
      validate: (value: string | null | undefined) =>
        typeof value === 'string' && /^[A-Z0-9_-]{2,64}$/.test(value)
          ? true
          : 'Letters, digits, - and _ only.',
    },
    {
      type: 'row',
      fields: [
        {
          name: 'type',
          type: 'select',
          required: true,
          defaultValue: 'percent',
          options: [
            { label: 'Percent off', value: 'percent' },
            { label: 'Fixed amount off (cents)', value: 'fixed' },
          ],
        },
        {
          name: 'value',
          type: 'number',
          required: true,
          admin: { description: 'Percent: 1–100. Fixed: cents.', step: 1 },
          validate: (
            value: number | null | undefined,
            { siblingData }: { siblingData: { type?: string } },
          ) => {
            if (!isMinorUnits(value) || value < 1) return 'Must be a whole number, 1 or more.'
            if (siblingData.type === 'percent' && value > 100) return 'A percentage is at most 100.'
            return true
          },
        },
      ],
    },
    {
      name: 'minSubtotal',
      type: 'number',
      defaultValue: 0,
      admin: { description: 'Cart subtotal (cents) needed for the coupon to apply.', step: 1 },
      validate: (value: number | null | undefined) =>
        value === null || value === undefined || isMinorUnits(value) ? true : 'Must be cents, 0 or more.',
    },
    {
      type: 'row',
      fields: [
        {
          name: 'maxUses',
          type: 'number',
          validate: positiveInt,
          admin: { description: 'Empty: unlimited.', step: 1 },
        },
        {
          name: 'maxUsesPerCustomer',
          type: 'number',
          validate: positiveInt,
          admin: { description: 'Empty: unlimited.', step: 1 },
        },
      ],
    },
    {
      type: 'row',
      fields: [
        { name: 'startsAt', type: 'date', admin: { date: { pickerAppearance: 'dayAndTime' } } },
        {
          name: 'expiresAt',
          type: 'date',
          admin: { date: { pickerAppearance: 'dayAndTime' } },
          validate: (
            value: Date | string | null | undefined,
            { siblingData }: { siblingData: { startsAt?: string } },
          ) =>
            !value || !siblingData.startsAt || new Date(value) > new Date(siblingData.startsAt)
              ? true
              : 'Must be after the start.',
        },
      ],
    },
    { name: 'active', type: 'checkbox', defaultValue: true, index: true, admin: { position: 'sidebar' } },
    {
      name: 'usedCount',
      type: 'number',
      defaultValue: 0,
      access: { create: () => false, update: adminOnlyField },
      admin: {
        readOnly: true,
        position: 'sidebar',
        description: 'Orders that used it (cancellations give uses back).',
      },
    },
  ],
}
