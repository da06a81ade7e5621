import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

// The ceiling for the catalog benchmark: plain node:http answering every request with the same
// bytes the cached server sends for the benchmarked URL. Nothing else runs per request.
//
//   node --import tsx bench/bare-server.ts <body-file> [port]     (or the port in PORT)

const [file, port = process.env.PORT ?? '0'] = process.argv.slice(2)
if (!file) {
  console.error('usage: bare-server.ts <body-file> [port]')
  process.exit(2)
}

const body = readFileSync(file)
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) }

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers)
  res.end(body)
})

server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`bare server listening on ${(server.address() as AddressInfo).port}\n`)
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
