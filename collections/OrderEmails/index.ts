import type { CollectionConfig } from 'payload'

import { adminOnly, nobody } from '../../src/access'
import { EMAIL_KINDS, EMAIL_STATES } from '../../src/email/outbox/kinds'
import { resendEmailEndpoint } from './resend'

// The outbox of order emails. A row is written with the order change that calls for it (in its
// transaction: src/orders/change.ts), then sent after commit by src/email/outbox/sender.ts, which
// claims it with a guarded write so that one instance sends it, once. Admins watch the states
// here and resend one (POST /api/order-emails/:id/resend, the button on the document); nobody
// writes rows over the API.

const readOnly = { readOnly: true }

export const OrderEmails: CollectionConfig = {
  slug: 'order-emails',
  labels: { singular: 'Order email', plural: 'Order emails' },
  admin: {
    group: 'Sales',
    useAsTitle: 'key',
    defaultColumns: ['kind', 'order', 'to', 'state', 'attempts', 'sentAt', 'lastError'],
    description:
      'Emails sent to customers about their orders: pending ones are retried with back-off; a failed or sent one can be sent again.',
  },
  access: { read: adminOnly, create: nobody, update: nobody, delete: nobody },
  endpoints: [resendEmailEndpoint],
  fields: [
    {
      name: 'resend',
      type: 'ui',
      admin: {
        position: 'sidebar',
        components: { Field: '/src/email/outbox/ResendButton#ResendButton' },
      },
    },
    // The order and what happened to it: one email per order and event, whatever sends it.
    { name: 'key', type: 'text', required: true, unique: true, index: true, admin: readOnly },
    {
      name: 'order',
      type: 'relationship',
      relationTo: 'orders',
      required: true,
      index: true,
      admin: readOnly,
    },
    { name: 'kind', type: 'select', required: true, options: [...EMAIL_KINDS], admin: readOnly },
    {
      name: 'state',
      type: 'select',
      required: true,
      defaultValue: 'pending',
      index: true,
      options: [...EMAIL_STATES],
      admin: { ...readOnly, position: 'sidebar' },
    },
    {
      name: 'attempts',
      type: 'number',
      required: true,
      defaultValue: 0,
      admin: { ...readOnly, position: 'sidebar' },
    },
    {
      name: 'nextAttemptAt',
      type: 'date',
      required: true,
      index: true,
      admin: { ...readOnly, position: 'sidebar', date: { pickerAppearance: 'dayAndTime' } },
    },
    {
      name: 'leaseUntil',
      type: 'date',
      admin: {
        ...readOnly,
        position: 'sidebar',
        description: 'While a sender holds it; a sender that died gives it up when this passes.',
        date: { pickerAppearance: 'dayAndTime' },
      },
    },
    { name: 'to', type: 'text', admin: readOnly },
    { name: 'subject', type: 'text', admin: readOnly },
    { name: 'sentAt', type: 'date', admin: { ...readOnly, date: { pickerAppearance: 'dayAndTime' } } },
    { name: 'lastError', type: 'text', admin: readOnly },
  ],
}
