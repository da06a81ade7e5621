import type { PayloadRequest } from 'payload'

import { increment, writeIfMatches } from '../db/guardedWrite'

/** The next value of a named counter; unique under any concurrency (gaps are possible). */
export async function nextCounter(req: PayloadRequest, name: string): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Outside any transaction on purpose: a counter row locked until commit would serialise every checkout.
    const updated = await writeIfMatches(req.payload, {
      collection: 'counters',
      where: { name: { equals: name } },
      data: { value: increment(1) },
    })
    const value: unknown = updated?.value
    if (typeof value === 'number') return value
    try {
      await req.payload.create({ collection: 'counters', data: { name, value: 0 } })
    } catch {
      // Another request created it first.
    }
  }
  throw new Error(`counter ${name} could not be incremented`)
}

export const formatOrderNumber = (value: number): string => `ORD-${String(value).padStart(6, '0')}`
