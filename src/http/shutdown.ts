import type http from 'node:http'
import net from 'node:net'
import type { Socket } from 'node:net'

// A kept-alive connection with no request in flight is only closed once it has received nothing
// for this long: it may carry a request the busy process has not read yet.
const QUIET_MS = 500
const SWEEP_MS = 100
const BACKLOG_MS = 1000

type Connection = { active: number; served: number; bytesRead: number; quietSince: number }

/**
 * Graceful stop of an http.Server that drops no request it accepted.
 *
 * Node's own `server.close()` first closes every connection without a request in flight. Under
 * load that includes connections whose request is already in the kernel's buffer but not parsed
 * yet (the event loop was busy): those clients get a reset for a request that was accepted.
 * Here the connections already waiting in the listen backlog are accepted, then the listening
 * socket is closed (new connections are refused), every request in flight or
 * still arriving is answered with `Connection: close`, and a connection is ended only after it
 * has been quiet (no request, no byte) for QUIET_MS. After `graceMs` whatever is left is cut.
 * Returns the function that starts the stop; it resolves when the last connection has closed.
 */
export function trackConnections(server: http.Server): (graceMs: number) => Promise<void> {
  const connections = new Map<Socket, Connection>()
  let closing = false
  let accepted = 0

  server.on('connection', (socket: Socket) => {
    accepted++
    connections.set(socket, { active: 0, served: 0, bytesRead: 0, quietSince: Date.now() })
    socket.once('close', () => connections.delete(socket))
  })
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const connection = connections.get(req.socket)
    if (!connection) return
    connection.active++
    // Before the headers go out, this makes Node answer `Connection: close` and end the socket.
    if (closing) res.shouldKeepAlive = false
    res.once('close', () => {
      connection.active--
      connection.served++
      connection.quietSince = Date.now()
    })
  })

  const endQuietConnections = (): void => {
    const now = Date.now()
    for (const [socket, connection] of connections) {
      // A connection that has not had its first request yet is left alone: under load it can
      // carry one the process has not read yet. It ends after that answer, or at the grace limit.
      if (connection.served === 0) continue
      if (connection.active > 0 || socket.bytesRead !== connection.bytesRead) {
        connection.bytesRead = socket.bytesRead
        connection.quietSince = now
      } else if (now - connection.quietSince >= QUIET_MS) {
        socket.end()
        // A client that never closes its side must not hold the process.
        setTimeout(() => socket.destroy(), 1000).unref()
      }
    }
  }

  /**
   * Connections the kernel has completed but this busy process has not accepted yet sit in the
   * listen backlog; closing the listening socket would reset them, requests and all. Accepting
   * goes on until one full turn of the event loop brings no new connection (at most BACKLOG_MS).
   */
  const acceptBacklog = async (): Promise<void> => {
    const until = Date.now() + BACKLOG_MS
    let seen = -1
    while (seen !== accepted && Date.now() < until) {
      seen = accepted
      // Two checks apart there is one poll phase, which accepts everything pending.
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  return async (graceMs) => {
    closing = true
    await acceptBacklog()
    await new Promise<void>((resolve) => {
      for (const connection of connections.values()) connection.quietSince = Date.now()
      // Not http.Server#close, which would end the "idle" connections at once (see above).
      net.Server.prototype.close.call(server, () => {
        clearInterval(sweep)
        clearTimeout(force)
        resolve()
      })
      // setImmediate: the check runs after the event loop has read what arrived meanwhile.
      const sweep = setInterval(() => setImmediate(endQuietConnections), SWEEP_MS)
      const force = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy()
      }, graceMs)
      force.unref()
    })
  }
}
