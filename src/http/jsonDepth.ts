import type { NextFunction, Request, RequestHandler, Response } from 'express'

import { sendError } from './errors'

/**
 * Deepest JSON body accepted. Rich text, the deepest real body, nests a few dozen levels; Payload
 * copies bodies recursively, so 20,000 nested arrays overflowed its stack (a 500).
 */
export const MAX_JSON_DEPTH = 100

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** True when the JSON text nests deeper than `max` (strings skipped); one pass, no parse. */
export function nestsDeeperThan(body: Buffer, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) inString = true
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--
  }
  return false
}

/** A JSON body nested past MAX_JSON_DEPTH: 400 before Payload walks it. */
export const rejectDeepJson: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  const body: unknown = req.body
  if (!Buffer.isBuffer(body) || !(req.headers['content-type'] ?? '').toLowerCase().includes('json'))
    return next()
  if (nestsDeeperThan(body, MAX_JSON_DEPTH))
    return sendError(res, 400, `The body nests deeper than ${MAX_JSON_DEPTH} levels.`)
  next()
}
