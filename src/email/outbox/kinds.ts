// What an order email can be about, and the states it goes through:
// pending → sending → sent, or back to pending (retried later), or failed after the last attempt.

export const EMAIL_KINDS = ['confirmation', 'shipped', 'cancelled', 'refunded'] as const
export type EmailKind = (typeof EMAIL_KINDS)[number]

export const EMAIL_STATES = ['pending', 'sending', 'sent', 'failed'] as const
export type EmailState = (typeof EMAIL_STATES)[number]
