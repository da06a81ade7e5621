import { z } from 'zod'

import type { DashboardData } from './types'

// GET /api/dashboard's answer for the OpenAPI document. The type check at the end keeps it the
// shape of DashboardData (types.ts), which the server computes.

const id = z.union([z.number(), z.string()])
const minor = z.number().int().describe('minor units of `currency`')
const period = z.object({ orders: z.number().int(), revenue: minor, refunded: minor })
const orderRow = z.object({
  id,
  orderNumber: z.string(),
  status: z.string(),
  paymentStatus: z.string(),
  paymentMethod: z.string(),
  total: minor,
  createdAt: z.string(),
})
const listed = <T extends z.ZodType>(row: T) => z.object({ total: z.number().int(), rows: z.array(row) })
const notYet = z
  .object({ available: z.literal(false), reason: z.string() })
  .describe('a widget without figures yet: `reason` says why')

export const DashboardAnswer = z
  .object({
    generatedAt: z.string(),
    currency: z.string(),
    sales: z
      .object({
        today: period,
        last7: period,
        last30: period,
        days: z.array(z.object({ date: z.string(), orders: z.number().int(), revenue: minor })),
      })
      .describe('UTC days, today included; `days` is the 30-day series'),
    byStatus: z.record(z.string(), z.number().int()).describe('how many orders are in each status'),
    newest: z.array(orderRow),
    lowStock: z.object({
      threshold: z.number().int(),
      products: listed(z.object({ id, title: z.string(), sku: z.string(), stock: z.number().int() })),
      variants: notYet,
    }),
    stuckUnpaid: listed(orderRow).extend({ olderThanSeconds: z.number().int() }),
    paymentIssues: listed(
      orderRow.extend({ issue: z.string().nullable(), note: z.string().nullable(), amountRefunded: minor }),
    ),
    abandonedCarts: listed(
      z.object({
        id,
        customer: id.nullable().describe("null for a guest's cart"),
        items: z.number().int(),
        value: minor,
        updatedAt: z.string(),
      }),
    ).extend({ idleHours: z.number(), days: z.number(), value: minor }),
    guestCarts: notYet,
    failedEmails: notYet,
  })
  .meta({ id: 'Dashboard' })

// A compile-time check: what the server computes fits the documented answer.
const fits = (data: DashboardData): z.input<typeof DashboardAnswer> => data
void fits
