import type { Endpoint } from 'payload'

import { isAdmin } from '../src/access'
import { dashboardData } from '../src/dashboard'
import { DashboardAnswer } from '../src/dashboard/answer'
import { StoreError } from '../src/errors'
import { requireUser } from '../src/http/input'
import { documented } from '../src/openapi/describe'

/** GET /api/dashboard — admin only: the figures of the admin home (src/dashboard/types.ts). */
export const dashboardEndpoint: Endpoint = documented(
  {
    path: '/dashboard',
    method: 'get',
    handler: async (req) => {
      requireUser(req)
      if (!isAdmin(req)) throw new StoreError('FORBIDDEN', 'Only admins may read the dashboard.')
      return Response.json(await dashboardData(req), { headers: { 'Cache-Control': 'no-store' } })
    },
  },
  {
    summary: "The admin home's figures: sales, orders by status, stock, stuck payments, abandoned carts",
    description:
      'Computed on each call (`Cache-Control: no-store`). Money in minor units of `currency`. A widget whose data the store does not provide yet answers `available: false` with a reason.',
    tag: 'Admin',
    audience: 'admin',
    responses: { 200: { description: 'the figures, as of now', body: DashboardAnswer } },
  },
)
