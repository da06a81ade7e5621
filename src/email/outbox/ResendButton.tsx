'use client'

import { Button, toast, useDocumentInfo } from '@payloadcms/ui'
import { useRouter } from 'next/navigation'
import { useState } from 'react'

/** The order email's "Send again" button (admins): POST /api/order-emails/:id/resend. */
export function ResendButton() {
  const { id } = useDocumentInfo()
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  if (id === undefined || id === null) return null

  const resend = async (): Promise<void> => {
    setBusy(true)
    try {
      const res = await fetch(`/api/order-emails/${encodeURIComponent(String(id))}/resend`, {
        method: 'POST',
        credentials: 'include',
      })
      const body = (await res.json().catch(() => ({}))) as { errors?: { message: string }[] }
      if (res.ok) toast.success('Queued: the email is being sent again.')
      else toast.error(body.errors?.[0]?.message ?? `Could not resend (${res.status}).`)
      router.refresh()
    } finally {
      setBusy(false)
    }
  }

  return (
    <div style={{ marginBottom: 'var(--base)' }}>
      <Button buttonStyle="secondary" size="small" disabled={busy} onClick={() => void resend()}>
        Send again
      </Button>
      <p style={{ color: 'var(--theme-elevation-500)', margin: 0 }}>
        A sent or failed email can be sent again; a pending one is still being tried.
      </p>
    </div>
  )
}
