import type { Order } from '../../payload-types'

// The shape of GET /api/dashboard: the server computes it (src/dashboard/widgets.ts), the admin
// home renders it (src/admin/dashboard). Money is in minor units of `currency`.

export type SalesDay = { date: string; orders: number; revenue: number }
export type SalesPeriod = { orders: number; revenue: number; refunded: number }

export type OrderRow = Pick<
  Order,
  'id' | 'orderNumber' | 'status' | 'paymentStatus' | 'paymentMethod' | 'total' | 'createdAt'
>
export type IssueRow = OrderRow & { issue: string | null; note: string | null; amountRefunded: number }

/** A list widget: the first rows and how many there are in all. */
export type Listed<T> = { total: number; rows: T[] }

export type LowStockRow = { id: number | string; title: string; sku: string; stock: number }

export type AbandonedCartRow = {
  id: number | string
  /** Null for a guest's cart. */
  customer: number | string | null
  items: number
  value: number
  updatedAt: string
}

/** A widget whose data another part of the store will provide; until then it says so, no figures. */
export type NotYet = { available: false; reason: string }

export type DashboardData = {
  generatedAt: string
  currency: string
  /** Today, the last 7 and 30 days (UTC days, today included); `days` is the 30-day series. */
  sales: { today: SalesPeriod; last7: SalesPeriod; last30: SalesPeriod; days: SalesDay[] }
  byStatus: Record<Order['status'], number>
  newest: OrderRow[]
  /** Products at or below the threshold; variants are listed once they exist. */
  lowStock: { threshold: number; products: Listed<LowStockRow>; variants: NotYet }
  /** Card orders still unpaid and not cancelled after the sweep should have settled them. */
  stuckUnpaid: { olderThanSeconds: number } & Listed<OrderRow>
  /** Orders whose payment needs an operator (`payment.issue`) or that the store settled itself (`payment.note`). */
  paymentIssues: Listed<IssueRow>
  /** Customers' carts with items, untouched for `idleHours` within the last `days` days. */
  abandonedCarts: { idleHours: number; days: number; value: number } & Listed<AbandonedCartRow>
  guestCarts: NotYet
  failedEmails: NotYet
}
