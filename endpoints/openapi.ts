import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import type { Endpoint } from 'payload'
import { z } from 'zod'

import { StoreError } from '../src/errors'
import { documented } from '../src/openapi/describe'
import { openApiDocument } from '../src/openapi/document'

/** GET /api/openapi.json — generated from the endpoints' schemas and the collection configs. */
export const openApiEndpoint: Endpoint = documented(
  {
    path: '/openapi.json',
    method: 'get',
    handler: (req) => Response.json(openApiDocument(req.payload.config, req.payload.db.defaultIDType)),
  },
  {
    summary: 'This API, described (OpenAPI 3.1)',
    tag: 'Operations',
    audience: 'anyone',
    responses: { 200: { description: 'the OpenAPI document', body: z.looseObject({ openapi: z.string() }) } },
  },
)

// Swagger UI from node_modules (no CDN): its own files, plus a start script served as a file so
// that the page needs no inline script.
// Resolved when first served, not when the module loads: the admin UI's build (Next.js) evaluates
// the config too, and inside its bundle `resolve` answers a module number, not a path.
let swaggerDir: string | undefined
const swaggerFile = (name: string): string => {
  swaggerDir ??= path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  return path.join(swaggerDir, name)
}
const START = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#reference', deepLinking: true, tryItOutEnabled: false })
})
`
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Store API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`
const ASSETS: Record<string, { type: string; read: () => string }> = {
  'swagger-ui.css': {
    type: 'text/css',
    read: () => readFileSync(swaggerFile('swagger-ui.css'), 'utf8'),
  },
  'swagger-ui-bundle.js': {
    type: 'text/javascript',
    read: () => readFileSync(swaggerFile('swagger-ui-bundle.js'), 'utf8'),
  },
  'start.js': { type: 'text/javascript', read: () => START },
}
const loaded = new Map<string, string>()

const html = (body: string, type: string, maxAge: number): Response =>
  new Response(body, {
    headers: { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': `public, max-age=${maxAge}` },
  })

/** GET /api/docs — the interactive reference, rendered from /api/openapi.json. */
export const docsEndpoints: Endpoint[] = [
  documented(
    { path: '/docs', method: 'get', handler: () => html(PAGE, 'text/html', 300) },
    {
      summary: 'The interactive API reference (Swagger UI)',
      tag: 'Operations',
      audience: 'anyone',
      responses: { 200: { description: 'an HTML page' } },
    },
  ),
  documented(
    {
      path: '/docs/:file',
      method: 'get',
      handler: (req) => {
        const name = String(req.routeParams?.file ?? '')
        const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined
        if (!asset) throw new StoreError('NOT_FOUND', 'No such file.')
        let body = loaded.get(name)
        if (body === undefined) {
          body = asset.read()
          loaded.set(name, body)
        }
        return html(body, asset.type, 86_400)
      },
    },
    {
      summary: "The reference page's scripts and styles",
      tag: 'Operations',
      audience: 'anyone',
      params: { file: '`swagger-ui.css`, `swagger-ui-bundle.js` or `start.js`' },
      responses: { 200: { description: 'the file' }, 404: { description: 'no such file' } },
    },
  ),
]
