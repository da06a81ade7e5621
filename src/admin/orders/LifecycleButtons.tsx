'use client'

import { Button, FieldLabel, toast, useConfig, useDocumentInfo, useFormFields } from '@payloadcms/ui'
import { useState } from 'react'

import { allowedMoves, ORDER_STATUSES } from '../../orders/transitions'
import type { OrderStatus } from '../../orders/transitions'
import { capitalised } from '../format'

const LABEL: Partial<Record<OrderStatus, string>> = {
  processing: 'Start processing',
  shipped: 'Mark shipped',
  delivered: 'Mark delivered',
  cancelled: 'Cancel order',
}

const isStatus = (value: unknown): value is OrderStatus =>
  typeof value === 'string' && (ORDER_STATUSES as string[]).includes(value)

/**
 * The order page's lifecycle moves: a button for each move an admin may make from the current
 * status (src/orders/transitions.ts, the table the server enforces), nothing else. A move is the
 * same PATCH of `status` any admin client sends; the server makes it through the lifecycle
 * (collections/Orders/hooks/moveThroughLifecycle.ts) and refuses it if the order moved meanwhile.
 */
export function LifecycleButtons() {
  const { id } = useDocumentInfo()
  const {
    config: { routes },
  } = useConfig()
  const status = useFormFields(([fields]) => fields.status?.value)
  const [busy, setBusy] = useState(false)
  if (!id || !isStatus(status)) return null
  const moves = allowedMoves(status, 'admin')

  const move = async (to: OrderStatus) => {
    if (
      to === 'cancelled' &&
      !window.confirm('Cancel this order? Its stock goes back; a paid card order is refunded.')
    )
      return
    setBusy(true)
    try {
      const res = await fetch(`${routes.api}/orders/${id}`, {
        method: 'PATCH',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: to }),
      })
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { errors?: { message?: string }[] } | null
        throw new Error(body?.errors?.[0]?.message ?? `The move was refused (${res.status}).`)
      }
      // The whole page shows the order as the move left it: status, payment, refund, history.
      window.location.reload()
    } catch (error) {
      toast.error(error instanceof Error ? error.message : String(error))
      setBusy(false)
    }
  }

  return (
    <div className="field-type order-lifecycle" id="order-lifecycle">
      <FieldLabel label="Move the order" />
      {moves.length === 0 ? (
        <p>{capitalised(status)}: the order has no further moves.</p>
      ) : (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 'calc(var(--base) / 2)' }}>
          {moves.map((to) => (
            <Button
              key={to}
              buttonStyle={to === 'cancelled' ? 'secondary' : 'primary'}
              disabled={busy}
              onClick={() => void move(to)}
              size="small"
              id={`order-move-${to}`}
            >
              {LABEL[to] ?? capitalised(to)}
            </Button>
          ))}
        </div>
      )}
    </div>
  )
}
