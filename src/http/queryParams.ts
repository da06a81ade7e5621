import type { NextFunction, Request, RequestHandler, Response } from 'express'

import { sendError } from './errors'

// Payload's REST parses `depth`, `limit` and `page` with Number() only when they look like
// numbers and otherwise passes them on as they came (`limit[]=x` is an array, `limit=abc` text),
// which the SQL adapters then fail on with a 500; a `where` or `data` sent as JSON text is
// JSON.parse'd unguarded. Those are client errors: 400 before Payload sees them.

const NUMERIC = ['depth', 'limit', 'page']
// GraphQL's Int: a page past it times the page size is an OFFSET the databases cannot hold.
const MAX_NUMBER = 2_147_483_647
// Payload expects these as text (`sort=-price,title`); an object or array reaches the adapter.
const TEXT = ['sort']
const JSON_TEXT = ['where', 'data']

/** The first problem with the query's paging and JSON parameters, or undefined. */
export function queryProblem(search: string): string | undefined {
  const params = new URLSearchParams(search)
  const seen = new Map<string, number>()
  for (const [rawKey, value] of params) {
    const base = /^[^[.]*/.exec(rawKey)?.[0] ?? rawKey
    if (NUMERIC.includes(base)) {
      if (rawKey !== base) return `${base} must be a single number.`
      seen.set(base, (seen.get(base) ?? 0) + 1)
      if ((seen.get(base) ?? 0) > 1) return `${base} must be given once.`
      const number = Number(value)
      if (value.trim() === '' || !Number.isInteger(number) || number < 0 || number > MAX_NUMBER)
        return `${base} must be a whole number from 0 to ${MAX_NUMBER}.`
    }
    if (TEXT.includes(base)) {
      if (rawKey !== base) return `${base} must be text, like ${base}=-createdAt.`
      seen.set(base, (seen.get(base) ?? 0) + 1)
      if ((seen.get(base) ?? 0) > 1) return `${base} must be given once (fields separated by commas).`
    }
    if (JSON_TEXT.includes(base) && rawKey === base && value !== '') {
      try {
        const parsed: unknown = JSON.parse(value)
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          return `${base} must be a JSON object.`
      } catch {
        return `${base} is not valid JSON.`
      }
    }
  }
  return undefined
}

export const rejectMalformedQuery: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  const at = req.originalUrl.indexOf('?')
  const problem = at === -1 ? undefined : queryProblem(req.originalUrl.slice(at))
  if (problem) return sendError(res, 400, problem)
  next()
}
