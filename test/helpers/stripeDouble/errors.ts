import type { StripeErrorBody } from './types'

// Errors shaped like Stripe's, so the SDK maps them to its own error classes.

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message)
  }
}

export function invalid(message: string, param?: string, code?: string, status = 400): ApiFailure {
  const body: StripeErrorBody = { type: 'invalid_request_error', message }
  if (code) {
    body.code = code
    body.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`
  }
  if (param) body.param = param
  return new ApiFailure(status, body)
}

export function missing(kind: string, id: string, param: string, status: number): ApiFailure {
  return invalid(`No such ${kind}: '${id}'`, param, 'resource_missing', status)
}

export function defaultErrorType(status: number): string {
  if (status === 402) return 'card_error'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}
