import { randomBytes } from 'node:crypto'

// Ids, timestamps and formatting as Stripe writes them.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function randomId(prefix: string, length = 24): string {
  let out = prefix
  for (const byte of randomBytes(length)) out += ALPHABET.charAt(byte % ALPHABET.length)
  return out
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

export function clone<T>(value: T): T {
  return structuredClone(value)
}

export function redactKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key
}

export function formatMoney(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}
