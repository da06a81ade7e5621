import qs from 'qs'

import { invalid } from './errors'
import type { FormObject, FormValue, Metadata } from './types'

/** Canonical JSON (sorted keys) for comparing idempotent requests' parameters. */
export function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? '')}`).join(',')}}`
}

export function normalize(value: unknown): FormValue | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    return value.map(normalize).filter((item): item is FormValue => item !== undefined)
  }
  if (value !== null && typeof value === 'object') {
    const out: FormObject = {}
    for (const [key, item] of Object.entries(value)) {
      const normalized = normalize(item)
      if (normalized !== undefined) out[key] = normalized
    }
    return out
  }
  return undefined
}

/** Parses `a[b][0][c]=1&…` into nested objects/arrays (the SDK's indexed-array encoding). */
export function parseForm(text: string): FormObject {
  if (!text) return {}
  const parsed = normalize(qs.parse(text, { depth: 20, arrayLimit: 1000, parameterLimit: 10_000 }))
  return parsed !== undefined && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}
}

/** A view over a parsed form object that validates like Stripe and names params like Stripe (`a[b][0]`). */
export class Form {
  constructor(
    readonly data: FormObject,
    readonly prefix = '',
  ) {}

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key
  }

  has(key: string): boolean {
    return Object.hasOwn(this.data, key)
  }

  raw(key: string): FormValue | undefined {
    return this.has(key) ? this.data[key] : undefined
  }

  rejectUnknown(allowed: readonly string[]): void {
    for (const key of Object.keys(this.data)) {
      if (!allowed.includes(key)) {
        throw invalid(`Received unknown parameter: ${this.name(key)}`, this.name(key), 'parameter_unknown')
      }
    }
  }

  string(key: string): string | undefined {
    const value = this.raw(key)
    if (value === undefined) return undefined
    if (typeof value !== 'string')
      throw invalid(`Invalid string: ${this.name(key)} must be a string`, this.name(key))
    return value
  }

  requiredString(key: string): string {
    const value = this.string(key)
    if (value === undefined || value === '') {
      throw invalid(`Missing required param: ${this.name(key)}.`, this.name(key), 'parameter_missing')
    }
    return value
  }

  int(key: string, min?: number): number | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!/^-?\d+$/.test(value)) {
      throw invalid(`Invalid integer: ${value}`, this.name(key), 'parameter_invalid_integer')
    }
    const parsed = Number(value)
    if (min !== undefined && parsed < min) {
      throw invalid(
        `This value must be greater than or equal to ${min}.`,
        this.name(key),
        'parameter_invalid_integer',
      )
    }
    return parsed
  }

  number(key: string): number | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!/^\d+(\.\d+)?$/.test(value)) throw invalid(`Invalid decimal: ${value}`, this.name(key))
    return Number(value)
  }

  bool(key: string): boolean | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (value !== 'true' && value !== 'false') throw invalid(`Invalid boolean: ${value}`, this.name(key))
    return value === 'true'
  }

  oneOf(key: string, values: readonly string[]): string | undefined {
    const value = this.string(key)
    if (value === undefined || value === '') return undefined
    if (!values.includes(value)) {
      throw invalid(`Invalid ${this.name(key)}: must be one of ${values.join(', ')}`, this.name(key))
    }
    return value
  }

  object(key: string): Form | undefined {
    const value = this.raw(key)
    if (value === undefined || value === '') return undefined
    if (typeof value === 'string' || Array.isArray(value)) throw invalid('Invalid object', this.name(key))
    return new Form(value, this.name(key))
  }

  array(key: string): Form[] {
    const value = this.raw(key)
    if (value === undefined || value === '') return []
    if (!Array.isArray(value)) throw invalid('Invalid array', this.name(key))
    return value.map((item, index) => {
      const name = `${this.name(key)}[${index}]`
      if (typeof item === 'string' || Array.isArray(item)) throw invalid('Invalid object', name)
      return new Form(item, name)
    })
  }

  strings(key: string): string[] {
    const value = this.raw(key)
    if (value === undefined || value === '') return []
    if (typeof value === 'string') return [value]
    if (!Array.isArray(value)) throw invalid('Invalid array', this.name(key))
    return value.map((item, index) => {
      if (typeof item !== 'string') throw invalid('Invalid string', `${this.name(key)}[${index}]`)
      return item
    })
  }

  /** Stripe metadata rules: ≤ 50 keys, key ≤ 40 chars (no brackets), value ≤ 500 chars; '' values unset. */
  metadata(key = 'metadata'): Metadata {
    const value = this.raw(key)
    if (value === undefined || value === '') return {}
    if (typeof value === 'string' || Array.isArray(value)) throw invalid('Invalid object', this.name(key))
    const out: Metadata = {}
    for (const [metaKey, metaValue] of Object.entries(value)) {
      const name = `${this.name(key)}[${metaKey}]`
      if (typeof metaValue !== 'string') throw invalid(`Invalid string: ${name} must be a string`, name)
      if (metaKey.length > 40) throw invalid('Metadata keys can have up to 40 characters.', name)
      if (metaValue.length > 500) {
        throw invalid(
          `Metadata values can have up to 500 characters, but you passed in a value that is ${metaValue.length} characters.`,
          name,
        )
      }
      if (metaValue !== '') out[metaKey] = metaValue
    }
    if (Object.keys(out).length > 50) throw invalid('You can specify up to 50 metadata keys.', this.name(key))
    return out
  }
}
