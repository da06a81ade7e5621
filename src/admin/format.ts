// Display only: amounts arrive in minor units, computed by the server (src/money.ts).

const formatters = new Map<string, Intl.NumberFormat>()

function currencyFormat(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase()
  let format = formatters.get(code)
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency: code })
    formatters.set(code, format)
  }
  return format
}

/** `1999, 'usd'` → `$19.99`: the currency's own number of decimals. */
export function formatMoney(minor: number, currency: string): string {
  const format = currencyFormat(currency)
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(minor / 10 ** digits)
}

export function formatWhen(iso: string): string {
  if (!iso) return ''
  return new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' })
}

export const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
