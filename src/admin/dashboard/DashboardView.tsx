import { Gutter } from '@payloadcms/ui'

import { StoreDashboard } from './StoreDashboard'

/** Replaces Payload's card grid as the admin home (payload.config.ts `admin.components.views.dashboard`). */
export function DashboardView() {
  return (
    <Gutter className="dashboard">
      <StoreDashboard />
    </Gutter>
  )
}
