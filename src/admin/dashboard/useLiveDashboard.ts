'use client'

import { useCallback, useEffect, useRef, useState } from 'react'
import { io } from 'socket.io-client'

import type { DashboardData } from '../../dashboard/types'

/** Events of the `admins` room (README "Real-time") after which the figures have moved. */
const MOVING_EVENTS = ['order.created', 'order.updated', 'order.paid', 'order.cancelled', 'product.low_stock']
/** Events arriving together (a checkout's several) cause one reload. */
const SETTLE_MS = 300
const RETRY_MS = 2000

export type Connection = 'connecting' | 'live' | 'reconnecting'

export type LiveDashboard = {
  data: DashboardData | null
  error: string | null
  connection: Connection
  reload: () => void
}

/**
 * The dashboard's figures, fetched from GET /api/dashboard and fetched again whenever the admins'
 * Socket.IO room announces a change, and after every (re)connection: whatever happened while the
 * connection was down is caught up by that one read. The socket authenticates with the admin
 * session's `payload-token` cookie, sent by the browser to the same origin.
 */
export function useLiveDashboard(apiRoute: string): LiveDashboard {
  const [data, setData] = useState<DashboardData | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [connection, setConnection] = useState<Connection>('connecting')
  const inFlight = useRef<AbortController | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const load = useCallback(async () => {
    inFlight.current?.abort()
    const controller = new AbortController()
    inFlight.current = controller
    try {
      const res = await fetch(`${apiRoute}/dashboard`, { credentials: 'include', signal: controller.signal })
      if (!res.ok) throw new Error(`The dashboard could not be loaded (${res.status}).`)
      setData((await res.json()) as DashboardData)
      setError(null)
    } catch (caught) {
      if (controller.signal.aborted) return
      setError(caught instanceof Error ? caught.message : String(caught))
    }
  }, [apiRoute])

  const reload = useCallback(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => void load(), SETTLE_MS)
  }, [load])

  useEffect(() => {
    void load()
    const socket = io({ withCredentials: true, reconnectionDelayMax: RETRY_MS })
    let retry: ReturnType<typeof setTimeout> | undefined
    socket.on('connect', () => {
      setConnection('live')
      reload()
    })
    socket.on('disconnect', (reason) => {
      setConnection('reconnecting')
      // The client reconnects by itself unless the server ended the socket (an expired token):
      // try again, the browser's cookie may have been refreshed since.
      if (reason === 'io server disconnect') retry = setTimeout(() => socket.connect(), RETRY_MS)
    })
    socket.on('connect_error', () => {
      setConnection('reconnecting')
      if (!socket.active) retry = setTimeout(() => socket.connect(), RETRY_MS)
    })
    for (const event of MOVING_EVENTS) socket.on(event, reload)
    return () => {
      clearTimeout(retry)
      clearTimeout(timer.current)
      inFlight.current?.abort()
      socket.disconnect()
    }
  }, [load, reload])

  return { data, error, connection, reload }
}
