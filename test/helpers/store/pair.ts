import { client } from '../http'
import type { Api } from '../http'
import { firstAdmin } from '../users'
import type { Account } from '../users'
import { startTestServer } from './inProcess'
import type { TestServer } from './inProcess'
import { startInstance } from './instance'

/** The store as the race tests run it: in this process, plus a second instance on its database. */
export type StorePair = {
  server: TestServer
  api: Api
  admin: Account
  /** Request i goes to one instance or the other, alternately: a race split across processes. */
  apiFor: (i: number) => Api
  stop: () => Promise<void>
}

export async function startStorePair(env: Parameters<typeof startTestServer>[0] = {}): Promise<StorePair> {
  const server = await startTestServer(env)
  const api = client(server.url)
  const admin = await firstAdmin(api)
  const second = await startInstance().catch(async (error: unknown) => {
    await server.stop()
    throw error
  })
  return {
    server,
    api,
    admin,
    apiFor: (i) => (i % 2 === 0 ? api : second.api),
    stop: async () => {
      await second.stop()
      await server.stop()
    },
  }
}
