import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'

import { GRAPHQL_PLAYGROUND_GET, GRAPHQL_POST } from '@payloadcms/next/routes'
import { createHeaders, sendResponse } from '@remix-run/node-fetch-server'
import express from 'express'
import type {
  NextFunction,
  Request as ExpressRequest,
  RequestHandler,
  Response as ExpressResponse,
} from 'express'
import { handleEndpoints } from 'payload'
import type { SanitizedConfig } from 'payload'

import { documentProblem } from '../graphql/cost'
import { isLimitRefusal } from '../graphql/limits'
import { errorBody } from './errors'
import { rejectDeepJson } from './jsonDepth'
import { rejectMalformedQuery } from './queryParams'
import { rejectUnversioned } from './versionRoutes'

/** Largest non-upload body (JSON, form): far above any real document, far below a memory problem. */
export const BODY_LIMIT_BYTES = 1024 * 1024

const isMultipart = (req: IncomingMessage): boolean =>
  (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/')

// Uploads stream through to Payload, which enforces MAX_UPLOAD_BYTES; every other body is read
// here with a hard limit, so a huge or endless body is a 413 and never reaches Payload.
export const bufferBody = express.raw({ type: (req) => !isMultipart(req), limit: BODY_LIMIT_BYTES })

// Built by hand rather than with createRequest: Express rewrites req.url under a mount path.
function toFetchRequest(req: ExpressRequest): Request {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`)
  // Payload routes GET only; Node drops the body of an answer to HEAD by itself.
  const method = req.method === 'HEAD' ? 'GET' : req.method
  const init: RequestInit & { duplex?: 'half' } = { method, headers: createHeaders(req) }
  const body: unknown = req.body
  if (Buffer.isBuffer(body)) {
    if (body.length > 0) init.body = new Uint8Array(body)
  } else if (isMultipart(req)) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  return new Request(url, init)
}

/**
 * Payload answers some errors as `{message}`; the contract promises `{errors:[{message}]}`
 * from every endpoint, so those few are reshaped. Successful answers pass untouched.
 */
async function withContractErrors(response: Response): Promise<Response> {
  if (response.status < 400 || !response.headers.get('content-type')?.includes('application/json'))
    return response
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  if (parsed && typeof parsed === 'object' && !('errors' in parsed) && 'message' in parsed) {
    const message = typeof parsed.message === 'string' ? parsed.message : 'Request failed'
    return new Response(JSON.stringify(errorBody(message)), { status: response.status, headers })
  }
  return new Response(text, { status: response.status, headers })
}

/** A depth or complexity refusal is a 400 for every client (see isLimitRefusal). */
async function withLimitRefusals(response: Response): Promise<Response> {
  if (response.status !== 200) return response
  const text = await response.text()
  let refused = false
  // Only answers that lead with errors can be refusals: successful results are not parsed again.
  if (text.startsWith('{"errors"')) {
    try {
      refused = isLimitRefusal(JSON.parse(text))
    } catch {
      refused = false
    }
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(text, { status: refused ? 400 : 200, headers })
}

type FetchHandler = (request: Request) => Promise<Response>

/**
 * GraphQL requests this instance executes at once; later ones wait their turn. Each may run up to
 * 20 root fields in parallel, so a few at once already fill the database pool: the cap keeps pool
 * slots and event-loop turns for everything else (/api/ready, sign-ins, checkouts).
 */
export const GRAPHQL_MAX_CONCURRENT = 2

function takingTurns(limit: number): (work: FetchHandler) => FetchHandler {
  let running = 0
  const waiting: (() => void)[] = []
  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
  return (work) => async (request) => {
    if (running < limit) running++
    else await new Promise<void>((resolve) => waiting.push(resolve))
    try {
      return await work(request)
    } finally {
      release()
    }
  }
}

/** A GraphQL document over the cost limits, a subscription or with cyclic fragments: 400 before it runs. */
const rejectUnrunnableGraphql: RequestHandler = (req, res, next) => {
  const body: unknown = req.body
  const problem = Buffer.isBuffer(body) ? documentProblem(body) : undefined
  if (!problem) return next()
  res.status(400).json(errorBody(problem.message, { code: problem.code }))
}

/**
 * A path whose percent-encoding does not decode (`/api/carts/mine/items/%E0%A4%A`) names nothing:
 * 404. Payload's router would throw decoding its parameters, a 500.
 */
function rejectUndecodablePath(req: ExpressRequest, res: ExpressResponse, next: NextFunction): void {
  try {
    decodeURIComponent(req.path)
  } catch {
    res.status(404).json(errorBody('Not found: the path is not valid percent-encoding.'))
    return
  }
  next()
}

function bridge(handler: FetchHandler): RequestHandler {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const response = await withContractErrors(await handler(toFetchRequest(req)))
      // Refused before its body was read (an upload over MAX_UPLOAD_BYTES): the rest of the body is
      // still on the socket, so it cannot carry another request; tell the client not to reuse it.
      if (!req.complete) res.setHeader('Connection', 'close')
      await sendResponse(res, response)
    } catch (error) {
      next(error)
    }
  }
}

/** Payload's REST API (collections, auth, custom endpoints) and GraphQL, without Next in the path. */
export function payloadRoutes(config: Promise<SanitizedConfig>, dev: boolean): express.Router {
  const router = express.Router()
  const graphql = GRAPHQL_POST(config)
  router.post(
    '/api/graphql',
    bufferBody,
    rejectDeepJson,
    rejectUnrunnableGraphql,
    bridge(takingTurns(GRAPHQL_MAX_CONCURRENT)(async (request) => withLimitRefusals(await graphql(request)))),
  )
  if (dev) router.get('/api/graphql-playground', bridge(GRAPHQL_PLAYGROUND_GET(config)))
  router.use(
    '/api',
    rejectUndecodablePath,
    rejectMalformedQuery,
    rejectUnversioned(config),
    bufferBody,
    rejectDeepJson,
    bridge((request) => handleEndpoints({ config, request })),
  )
  return router
}
