import type { PayloadRequest, Where } from 'payload'

import type { Order } from '../../payload-types'
import { linesOf } from '../cart/lines'
import { refOf } from '../db/ids'
import { lineTotal } from '../money'
import { ORDER_STATUSES } from '../orders/transitions'
import type {
  AbandonedCartRow,
  DashboardData,
  IssueRow,
  Listed,
  LowStockRow,
  OrderRow,
  SalesDay,
  SalesPeriod,
} from './types'

// One widget, one query (two where it must join: the abandoned carts' prices), through the Local
// API with `select` so that only the columns shown are read. Every filter and sort here runs on
// an indexed field (orders createdAt, status, paymentStatus, payment.issue/note; products stock;
// carts updatedAt), so the dashboard stays fast as orders pile up (bench/dashboard.ts).

const DAY_MS = 86_400_000
const LIST_ROWS = 10
export const SERIES_DAYS = 30
export const ABANDONED_IDLE_HOURS = 1
export const ABANDONED_DAYS = 7
/** At most this many carts are valued; the count is still the whole. */
const ABANDONED_ROWS = 200

const ORDER_ROW = {
  orderNumber: true,
  status: true,
  paymentStatus: true,
  paymentMethod: true,
  total: true,
  createdAt: true,
} as const

/** Every query acts as the admin asking: access control applies, and no page cap (Local API). */
const asCaller = (req: PayloadRequest) => ({ req, overrideAccess: false, depth: 0 }) as const

const utcDay = (at: Date): string => at.toISOString().slice(0, 10)

function orderRow(order: Partial<Order> & Pick<Order, 'id'>): OrderRow {
  return {
    id: order.id,
    orderNumber: order.orderNumber ?? '',
    status: order.status ?? 'pending',
    paymentStatus: order.paymentStatus ?? 'unpaid',
    paymentMethod: order.paymentMethod ?? 'cod',
    total: order.total ?? 0,
    createdAt: order.createdAt ?? '',
  }
}

/**
 * Orders placed per UTC day over the last SERIES_DAYS days, today included, and the three periods
 * summed from them. Revenue is what was ordered and not cancelled; refunded is what went back.
 */
export async function sales(req: PayloadRequest, now: Date): Promise<DashboardData['sales']> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  const from = new Date(today - (SERIES_DAYS - 1) * DAY_MS)
  // Every order of the window, four columns each: read from the adapter directly, since Payload's
  // per-document read work (hooks, field traversal) cost about 0.25 ms a row, 2 s for a busy month.
  // The caller is an admin (endpoints/dashboard.ts), who may read every order.
  const { docs } = (await req.payload.db.find({
    collection: 'orders',
    req,
    where: { createdAt: { greater_than_equal: from.toISOString() } },
    select: { createdAt: true, total: true, status: true, amountRefunded: true },
    limit: 0,
    pagination: false,
  })) as { docs: Pick<Order, 'createdAt' | 'total' | 'status' | 'amountRefunded'>[] }
  const days: SalesDay[] = Array.from({ length: SERIES_DAYS }, (_, index) => ({
    date: utcDay(new Date(from.getTime() + index * DAY_MS)),
    orders: 0,
    revenue: 0,
  }))
  const period = (): SalesPeriod => ({ orders: 0, revenue: 0, refunded: 0 })
  const result = { today: period(), last7: period(), last30: period(), days }
  for (const order of docs) {
    const index = Math.floor((new Date(order.createdAt).getTime() - from.getTime()) / DAY_MS)
    const day = days[index]
    if (!day) continue
    const revenue = order.status === 'cancelled' ? 0 : order.total
    const refunded = order.amountRefunded ?? 0
    day.orders += 1
    day.revenue += revenue
    const periods = [result.last30]
    if (index >= SERIES_DAYS - 7) periods.push(result.last7)
    if (index === SERIES_DAYS - 1) periods.push(result.today)
    for (const sum of periods) {
      sum.orders += 1
      sum.revenue += revenue
      sum.refunded += refunded
    }
  }
  return result
}

/** How many orders are in each status now: one indexed count per status, run together. */
export async function byStatus(req: PayloadRequest): Promise<DashboardData['byStatus']> {
  const counts = await Promise.all(
    ORDER_STATUSES.map(async (status) => {
      const { totalDocs } = await req.payload.count({
        collection: 'orders',
        ...asCaller(req),
        where: { status: { equals: status } },
      })
      return [status, totalDocs] as const
    }),
  )
  return Object.fromEntries(counts) as DashboardData['byStatus']
}

export async function newest(req: PayloadRequest): Promise<OrderRow[]> {
  const { docs } = await req.payload.find({
    collection: 'orders',
    ...asCaller(req),
    select: ORDER_ROW,
    sort: '-createdAt',
    limit: LIST_ROWS,
  })
  return docs.map(orderRow)
}

/**
 * Products at or below the threshold, lowest first. Variants (their own stock) join here as a
 * second list once the catalog has them: `variants` says so until then.
 */
export async function lowStock(req: PayloadRequest, threshold: number): Promise<DashboardData['lowStock']> {
  const found = await req.payload.find({
    collection: 'products',
    ...asCaller(req),
    where: { stock: { less_than_equal: threshold } },
    select: { title: true, sku: true, stock: true },
    sort: 'stock',
    limit: LIST_ROWS,
  })
  const rows: LowStockRow[] = found.docs.map((product) => ({
    id: product.id,
    title: product.title,
    sku: product.sku,
    stock: product.stock,
  }))
  return {
    threshold,
    products: { total: found.totalDocs, rows },
    variants: { available: false, reason: 'Products have no variants yet.' },
  }
}

/** Card orders neither paid nor cancelled `olderThanSeconds` after checkout: the sweep could not settle them. */
export async function stuckUnpaid(
  req: PayloadRequest,
  now: Date,
  olderThanSeconds: number,
): Promise<DashboardData['stuckUnpaid']> {
  const where: Where = {
    and: [
      { paymentStatus: { equals: 'unpaid' } },
      { paymentMethod: { equals: 'card' } },
      { status: { not_equals: 'cancelled' } },
      { createdAt: { less_than: new Date(now.getTime() - olderThanSeconds * 1000).toISOString() } },
    ],
  }
  const found = await req.payload.find({
    collection: 'orders',
    ...asCaller(req),
    where,
    select: ORDER_ROW,
    sort: 'createdAt',
    limit: LIST_ROWS,
  })
  return { olderThanSeconds, total: found.totalDocs, rows: found.docs.map(orderRow) }
}

/**
 * Payments that need an operator (src/payments: an amount mismatch, a failed refund) and what the
 * store settled on its own (a payment after cancellation, refunded): the newest first.
 */
export async function paymentIssues(req: PayloadRequest): Promise<Listed<IssueRow>> {
  const found = await req.payload.find({
    collection: 'orders',
    ...asCaller(req),
    where: { or: [{ 'payment.issue': { exists: true } }, { 'payment.note': { exists: true } }] },
    select: { ...ORDER_ROW, amountRefunded: true, payment: { issue: true, note: true } },
    sort: '-updatedAt',
    limit: LIST_ROWS,
  })
  const rows = found.docs.map((order) => ({
    ...orderRow(order),
    issue: order.payment?.issue ?? null,
    note: order.payment?.note ?? null,
    amountRefunded: order.amountRefunded ?? 0,
  }))
  return { total: found.totalDocs, rows }
}

/**
 * Carts with items left alone for ABANDONED_IDLE_HOURS, changed within the last ABANDONED_DAYS
 * days: a checkout empties its cart, so these never became orders. Valued at today's prices.
 */
export async function abandonedCarts(
  req: PayloadRequest,
  now: Date,
): Promise<DashboardData['abandonedCarts']> {
  const found = await req.payload.find({
    collection: 'carts',
    ...asCaller(req),
    where: {
      and: [
        {
          updatedAt: { less_than: new Date(now.getTime() - ABANDONED_IDLE_HOURS * 3_600_000).toISOString() },
        },
        {
          updatedAt: { greater_than_equal: new Date(now.getTime() - ABANDONED_DAYS * DAY_MS).toISOString() },
        },
      ],
    },
    select: { customer: true, items: true, updatedAt: true },
    sort: '-updatedAt',
    limit: ABANDONED_ROWS,
  })
  const carts = found.docs
    .map((cart) => ({ cart, lines: linesOf(cart) }))
    .filter(({ lines }) => lines.length > 0)
  const productIds = [...new Set(carts.flatMap(({ lines }) => lines.map((line) => line.product)))]
  const prices = new Map<string, number>()
  if (productIds.length > 0) {
    const products = await req.payload.find({
      collection: 'products',
      ...asCaller(req),
      where: { id: { in: productIds } },
      select: { price: true },
      pagination: false,
    })
    for (const product of products.docs) prices.set(String(product.id), product.price)
  }
  const rows: AbandonedCartRow[] = carts.map(({ cart, lines }) => ({
    id: cart.id,
    customer: refOf(cart.customer) ?? null,
    items: lines.reduce((sum, line) => sum + line.quantity, 0),
    value: lines.reduce(
      (sum, line) => sum + lineTotal(prices.get(String(line.product)) ?? 0, line.quantity),
      0,
    ),
    updatedAt: cart.updatedAt,
  }))
  return {
    idleHours: ABANDONED_IDLE_HOURS,
    days: ABANDONED_DAYS,
    value: rows.reduce((sum, row) => sum + row.value, 0),
    total: rows.length,
    rows: rows.slice(0, LIST_ROWS),
  }
}
