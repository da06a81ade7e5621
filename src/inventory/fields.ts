import type { Field } from 'payload'

// The stock fields products and variants share: the guarded writes of src/inventory/stock.ts
// move both in one statement.

export const stockField: Field = {
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
}

export const stockRevisionField: Field = {
  // Moved by every stock change in the same statement: what a cached answer's stock is as of.
  name: 'stockRevision',
  type: 'number',
  defaultValue: 0,
  access: { create: () => false, update: () => false },
  // A document stored before the field existed (MongoDB has no migration to add it) has had no
  // revisioned stock change yet: revision 0, so its answers can still be cached and overlaid.
  hooks: { afterRead: [({ value }) => (typeof value === 'number' ? value : 0)] },
  admin: { readOnly: true, position: 'sidebar' },
}
