import net from 'node:net'

import { freePort } from './services'

export type ProxyMode = 'forward' | 'refuse' | 'blackhole'

/**
 * A TCP proxy on loopback between the server and a database, to lose the connection and get it
 * back without touching the database itself:
 * - `forward`: every byte passes;
 * - `refuse`: every open connection is destroyed and the port is closed (connections refused);
 * - `blackhole`: every open connection is destroyed, new ones are accepted and never answered
 *   (a partition: the server must give up by itself).
 */
export class TcpProxy {
  private server: net.Server | undefined
  private sockets = new Set<net.Socket>()
  mode: ProxyMode = 'refuse'
  port = 0

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.port = await freePort()
    await this.set('forward')
    return this
  }

  async set(mode: ProxyMode): Promise<void> {
    if (mode !== 'forward' || this.mode !== 'forward') this.cutAll()
    this.mode = mode
    if (mode === 'refuse') return this.close()
    if (!this.server) await this.listen()
  }

  private cutAll(): void {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
  }

  private listen(): Promise<void> {
    const server = net.createServer((client) => {
      this.track(client)
      if (this.mode === 'blackhole') return
      const upstream = net.connect(this.targetPort, this.targetHost)
      this.track(upstream)
      client.pipe(upstream).pipe(client)
      const end = () => {
        client.destroy()
        upstream.destroy()
      }
      client.on('error', end)
      upstream.on('error', end)
      client.on('close', end)
      upstream.on('close', end)
    })
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
  }

  private close(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return Promise.resolve()
    return new Promise((resolve) => server.close(() => resolve()))
  }

  async stop(): Promise<void> {
    this.cutAll()
    await this.close()
  }
}
