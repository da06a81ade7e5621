import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { SanitizedConfig } from 'payload'

import { sendError } from './errors'

// Payload routes `/api/<collection>/versions…` and `/api/globals/<global>/versions…` for every
// collection and global, versioned or not; without versions there is no versions table and the
// SQL adapters fail with a 500 (for a customer's GET, and for anyone's restore POST, which is
// checked only after the lookup). Those routes do not exist: 404 before Payload.

const VERSIONS_ROUTE = /^\/api\/(?:globals\/)?([^/?#]+)\/versions(?:[/?#]|$)/i

export function rejectUnversioned(config: Promise<SanitizedConfig>): RequestHandler {
  let versioned: Set<string> | undefined
  return (req: Request, res: Response, next: NextFunction) => {
    const match = VERSIONS_ROUTE.exec(req.originalUrl)
    if (!match) return next()
    config.then(
      (sanitized) => {
        versioned ??= new Set(
          [...sanitized.collections, ...sanitized.globals]
            .filter((entity) => Boolean(entity.versions))
            .map((entity) => entity.slug),
        )
        let slug: string
        try {
          slug = decodeURIComponent(match[1] ?? '')
        } catch {
          slug = ''
        }
        if (versioned.has(slug)) return next()
        sendError(res, 404, 'Not found')
      },
      (error: unknown) => next(error),
    )
  }
}
