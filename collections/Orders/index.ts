import type { CollectionConfig, Field } from 'payload'

import type { Order } from '../../payload-types'
import { adminOnly, adminOwnerOrOrderToken } from '../../src/access'
import { ORDER_STATUSES } from '../../src/orders/transitions'
import { cancelOrderEndpoint } from '../../endpoints/cancelOrder'
import { moveThroughLifecycle } from './hooks/moveThroughLifecycle'

type HistoryRow = NonNullable<Order['statusHistory']>[number]

function inMoveOrder(value: unknown): unknown {
  if (!Array.isArray(value)) return value
  return [...(value as HistoryRow[])].sort((a, b) => String(a.at).localeCompare(String(b.at)))
}

const fixed = { create: () => false, update: () => false }
const money = (name: string): Field => ({
  name,
  type: 'number',
  required: true,
  access: fixed,
  admin: { readOnly: true },
})

// Orders are created by checkout only (src/checkout); afterwards only their status moves, through
// src/orders/lifecycle.ts. Everything else is a snapshot of the moment of purchase.
export const Orders: CollectionConfig = {
  slug: 'orders',
  admin: {
    useAsTitle: 'orderNumber',
    group: 'Sales',
    defaultColumns: [
      'orderNumber',
      'customer',
      'status',
      'paymentStatus',
      'paymentMethod',
      'email',
      'total',
      'createdAt',
    ],
    listSearchableFields: ['orderNumber', 'couponCode', 'email'],
  },
  access: { read: adminOwnerOrOrderToken, create: () => false, update: adminOnly, delete: adminOnly },
  endpoints: [cancelOrderEndpoint],
  hooks: { beforeChange: [moveThroughLifecycle] },
  fields: [
    {
      name: 'orderNumber',
      type: 'text',
      required: true,
      unique: true,
      index: true,
      access: fixed,
      admin: { readOnly: true },
    },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'pending',
      index: true,
      options: ORDER_STATUSES.map((value) => ({ label: value[0]?.toUpperCase() + value.slice(1), value })),
      admin: {
        position: 'sidebar',
        // Moved with the buttons below (exactly the moves the lifecycle allows), not picked from a list.
        readOnly: true,
        description: 'pending → processing → shipped → delivered; pending/processing → cancelled.',
      },
    },
    {
      name: 'lifecycle',
      type: 'ui',
      admin: {
        position: 'sidebar',
        components: { Field: '/src/admin/orders/LifecycleButtons#LifecycleButtons' },
      },
    },
    {
      name: 'paymentStatus',
      type: 'select',
      required: true,
      defaultValue: 'unpaid',
      index: true,
      options: ['unpaid', 'paid', 'failed', 'refunded'],
      access: fixed,
      admin: { position: 'sidebar', readOnly: true },
    },
    {
      name: 'paymentMethod',
      type: 'select',
      required: true,
      options: [
        { label: 'Cash on delivery', value: 'cod' },
        { label: 'Card (Stripe)', value: 'card' },
      ],
      access: fixed,
      admin: { position: 'sidebar', readOnly: true },
    },
    {
      name: 'customer',
      type: 'relationship',
      relationTo: 'users',
      // Empty on a guest's order (until a customer verifies its email: src/guests/claimOrders.ts).
      index: true,
      access: fixed,
      admin: { position: 'sidebar', readOnly: true },
    },
    {
      // Where the order's emails go: the customer's address at checkout, or the guest's.
      name: 'email',
      type: 'email',
      index: true,
      access: fixed,
      admin: { position: 'sidebar', readOnly: true },
    },
    {
      // A guest order's key: the SHA-256 of its X-Order-Token (src/guests/orderTokens.ts), never
      // the token, and never shown through any API.
      name: 'orderTokenHash',
      type: 'text',
      unique: true,
      index: true,
      hidden: true,
    },
    {
      name: 'items',
      type: 'array',
      required: true,
      minRows: 1,
      access: fixed,
      admin: { readOnly: true },
      fields: [
        { name: 'product', type: 'relationship', relationTo: 'products' },
        { name: 'variant', type: 'relationship', relationTo: 'variants' },
        { name: 'title', type: 'text', required: true },
        { name: 'variantTitle', type: 'text' },
        { name: 'sku', type: 'text', required: true },
        { name: 'unitPrice', type: 'number', required: true },
        { name: 'quantity', type: 'number', required: true },
        { name: 'lineTotal', type: 'number', required: true },
      ],
    },
    { type: 'row', fields: [money('subtotal'), money('discount'), money('shipping'), money('total')] },
    {
      name: 'tax',
      type: 'number',
      access: fixed,
      // Orders placed before taxes existed have none.
      hooks: { afterRead: [({ value }) => (typeof value === 'number' ? value : 0)] },
      admin: {
        readOnly: true,
        description: 'Included in the total (TAX_MODE=exclusive) or in the prices (inclusive).',
      },
    },
    {
      name: 'taxLines',
      type: 'array',
      access: fixed,
      admin: { readOnly: true },
      fields: [
        { name: 'name', type: 'text', required: true },
        { name: 'rate', type: 'number', required: true },
        { name: 'amount', type: 'number', required: true },
      ],
    },
    {
      name: 'shippingMethod',
      type: 'group',
      access: fixed,
      admin: { readOnly: true, description: 'The shipping method chosen at checkout, as it was then.' },
      fields: [
        // Not `id`: a group's `id` would be taken for the row's own.
        { name: 'methodId', type: 'text' },
        { name: 'name', type: 'text' },
      ],
    },
    {
      name: 'amountRefunded',
      type: 'number',
      defaultValue: 0,
      access: fixed,
      // Checkout writes orders through the adapter, without field defaults: none refunded yet.
      hooks: { afterRead: [({ value }) => (typeof value === 'number' ? value : 0)] },
      admin: {
        readOnly: true,
        description:
          'Refunded so far, in minor units: partial refunds (from the Stripe dashboard) add up here; only a full refund makes the payment status refunded.',
      },
    },
    {
      type: 'row',
      fields: [
        { name: 'currency', type: 'text', required: true, access: fixed, admin: { readOnly: true } },
        { name: 'couponCode', type: 'text', access: fixed, admin: { readOnly: true } },
        {
          name: 'coupon',
          type: 'relationship',
          relationTo: 'coupons',
          access: fixed,
          admin: { readOnly: true },
        },
      ],
    },
    {
      name: 'shippingAddress',
      type: 'group',
      access: fixed,
      admin: { readOnly: true },
      fields: [
        { name: 'name', type: 'text', required: true },
        { name: 'line1', type: 'text', required: true },
        { name: 'line2', type: 'text' },
        { name: 'city', type: 'text', required: true },
        { name: 'region', type: 'text' },
        { name: 'postalCode', type: 'text', required: true },
        { name: 'country', type: 'text', required: true },
        { name: 'phone', type: 'text' },
      ],
    },
    {
      name: 'payment',
      type: 'group',
      access: fixed,
      admin: { readOnly: true, description: 'Stripe references for card orders.' },
      fields: [
        { name: 'stripeSessionId', type: 'text', index: true },
        { name: 'stripePaymentIntentId', type: 'text', index: true },
        { name: 'expiresAt', type: 'date', index: true },
        { name: 'stripeRefundId', type: 'text' },
        {
          name: 'issue',
          type: 'text',
          // The dashboard lists orders that have one (src/dashboard/widgets.ts paymentIssues).
          index: true,
          admin: {
            description: 'Set when a payment needs an operator: an amount mismatch, a failed refund.',
          },
        },
        {
          name: 'note',
          type: 'text',
          index: true,
          admin: {
            description:
              'What the store did on its own about this payment, e.g. a payment that arrived after the order was cancelled, refunded automatically.',
          },
        },
      ],
    },
    {
      name: 'statusHistory',
      type: 'array',
      access: fixed,
      // Moves append their row in place (src/orders/lifecycle.ts), which the SQL adapters store
      // without a position of its own: the history reads in the order the moves were made.
      hooks: { afterRead: [({ value }) => inMoveOrder(value)] },
      admin: { readOnly: true },
      fields: [
        { name: 'from', type: 'text' },
        { name: 'to', type: 'text', required: true },
        { name: 'by', type: 'relationship', relationTo: 'users' },
        { name: 'at', type: 'date', required: true },
      ],
    },
  ],
}
