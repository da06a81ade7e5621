import pg from 'pg'

// What the store's PostgreSQL sessions are doing, sampled from pg_stat_activity: during a flash
// sale it shows whether checkouts wait on the hot product's row lock (Lock: transactionid / tuple)
// or hold transactions open while the server does other work ("idle in transaction").

export type WaitSampler = { stop: () => Promise<Map<string, number>> }

/** Samples every `intervalMs` until stop(), which returns how many session samples fell in each state. */
export async function sampleWaits(databaseUri: string, intervalMs: number): Promise<WaitSampler> {
  const client = new pg.Client({ connectionString: databaseUri })
  await client.connect()
  const counts = new Map<string, number>()
  let running = true
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{
        state: string | null
        type: string | null
        event: string | null
      }>(
        `select state, wait_event_type as type, wait_event as event from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      )
      for (const row of rows) {
        const key =
          row.state === 'active'
            ? row.type
              ? `active, waiting ${row.type}: ${row.event ?? '?'}`
              : 'active, running'
            : (row.state ?? 'unknown')
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      await client.end()
      return counts
    },
  }
}
