import type { Payload } from 'payload'

import type { Order } from '../../../payload-types'
import { env } from '../../config/env'
import { refOf } from '../../db/ids'
import { formatMoney } from '../../money'
import type { EmailKind } from './kinds'

// What an order email says, in plain text and HTML, from the order as it is when it is sent:
// its lines and totals in the store currency, and a link to it on the storefront.

export type Message = { to: string; subject: string; text: string; html: string }

/**
 * Where the order's emails go: the order's own `email` when it carries one (a guest order), else
 * its customer's address.
 */
async function recipientOf(payload: Payload, order: Order): Promise<string | null> {
  if ('email' in order && typeof order.email === 'string' && order.email) return order.email
  const customer = refOf(order.customer)
  if (customer === undefined) return null
  const user = await payload.db.findOne({ collection: 'users', where: { id: { equals: customer } } })
  return user && typeof user === 'object' && 'email' in user && typeof user.email === 'string'
    ? user.email
    : null
}

function linkTo(order: Order): string {
  const token = 'orderToken' in order && typeof order.orderToken === 'string' ? order.orderToken : null
  const link = `${env().STOREFRONT_URL}/orders/${encodeURIComponent(String(order.id))}`
  return token ? `${link}?token=${encodeURIComponent(token)}` : link
}

/** The sentence a cancellation email adds about the money. */
function refundNote(order: Order, money: (amount: number) => string): string {
  if (order.paymentStatus === 'refunded' || (order.amountRefunded ?? 0) > 0) {
    return `A refund of ${money(order.amountRefunded || order.total)} has been made to your card.`
  }
  if (order.paymentStatus === 'paid') return 'Your payment will be refunded; we will email you when it is.'
  return 'No payment was taken for it.'
}

function headline(kind: EmailKind, order: Order, money: (amount: number) => string) {
  const number = order.orderNumber
  switch (kind) {
    case 'confirmation':
      return {
        subject: `Order ${number} confirmed`,
        intro: `Thank you for your order. We have received order ${number} and are preparing it.`,
      }
    case 'shipped':
      return { subject: `Order ${number} has shipped`, intro: `Good news: order ${number} is on its way.` }
    case 'cancelled':
      return {
        subject: `Order ${number} was cancelled`,
        intro: `Order ${number} was cancelled. ${refundNote(order, money)}`,
      }
    case 'refunded':
      return {
        subject: `Refund for order ${number}`,
        intro: `We have refunded ${money(order.amountRefunded || order.total)} for order ${number}.`,
      }
  }
}

/** Inclusive tax is in the prices: the total holds nothing beyond subtotal − discount + shipping. */
const taxIncluded = (order: Order): boolean =>
  order.total === order.subtotal - order.discount + order.shipping

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The email `kind` of `order`; null when it has nobody to go to. */
export async function composeOrderEmail(
  payload: Payload,
  order: Order,
  kind: EmailKind,
): Promise<Message | null> {
  const to = await recipientOf(payload, order)
  if (!to) return null
  const money = (amount: number): string => formatMoney(amount, order.currency)
  const { subject, intro } = headline(kind, order, money)
  const link = linkTo(order)
  const lines = (order.items ?? []).map((item) => ({
    label: `${item.quantity} × ${item.title}`,
    amount: money(item.lineTotal),
  }))
  const totals: { label: string; amount: string }[] = [
    { label: 'Subtotal', amount: money(order.subtotal) },
    ...(order.discount > 0
      ? [
          {
            label: `Discount${order.couponCode ? ` (${order.couponCode})` : ''}`,
            amount: `-${money(order.discount)}`,
          },
        ]
      : []),
    {
      label: order.shippingMethod?.name ? `Shipping (${order.shippingMethod.name})` : 'Shipping',
      amount: money(order.shipping),
    },
    ...(order.taxLines ?? []).map((line) => ({
      label: `${line.name}${taxIncluded(order) ? ' (included)' : ''}`,
      amount: money(line.amount),
    })),
    { label: 'Total', amount: money(order.total) },
  ]
  const text = [
    intro,
    '',
    `Order ${order.orderNumber}`,
    ...lines.map((line) => `  ${line.label}  ${line.amount}`),
    '',
    ...totals.map((row) => `  ${row.label}: ${row.amount}`),
    '',
    `View your order: ${link}`,
  ].join('\n')
  const row = (label: string, amount: string, strong = false): string =>
    `<tr><td style="padding:2px 12px 2px 0">${strong ? '<strong>' : ''}${escapeHtml(label)}${strong ? '</strong>' : ''}</td><td style="text-align:right">${strong ? '<strong>' : ''}${escapeHtml(amount)}${strong ? '</strong>' : ''}</td></tr>`
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    `<h2 style="font-size:16px">Order ${escapeHtml(order.orderNumber)}</h2>`,
    '<table>',
    ...lines.map((line) => row(line.label, line.amount)),
    ...totals.map((total) => row(total.label, total.amount, total.label === 'Total')),
    '</table>',
    `<p><a href="${escapeHtml(link)}">View your order</a></p>`,
  ].join('\n')
  return { to, subject, text, html }
}
