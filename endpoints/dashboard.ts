import type { Endpoint } from 'payload'

import { isAdmin } from '../src/access'
import { dashboardData } from '../src/dashboard'
import { StoreError } from '../src/errors'
import { requireUser } from '../src/http/input'

/** GET /api/dashboard — admin only: the figures of the admin home (src/dashboard/types.ts). */
export const dashboardEndpoint: Endpoint = {
  path: '/dashboard',
  method: 'get',
  handler: async (req) => {
    requireUser(req)
    if (!isAdmin(req)) throw new StoreError('FORBIDDEN', 'Only admins may read the dashboard.')
    return Response.json(await dashboardData(req), { headers: { 'Cache-Control': 'no-store' } })
  },
}
