import pg from 'pg'

// What the store's PostgreSQL sessions are doing, sampled from pg_stat_activity: during a flash
// sale it shows whether checkouts wait on the hot product's row lock (Lock: transactionid / tuple)
// or hold transactions open while the server does other work ("idle in transaction").

export type Waits = {
  /** Session samples per state (and wait event when active). */
  states: Map<string, number>
  /**
   * Session samples per statement, for sessions waiting on a lock and sessions idle in a
   * transaction (whose last statement is what the holder of a lock ran before going back to Node).
   */
  statements: Map<string, number>
}

export type WaitSampler = { stop: () => Promise<Waits> }

/** Samples every `intervalMs` until stop(), which returns how many session samples fell in each state. */
export async function sampleWaits(databaseUri: string, intervalMs: number): Promise<WaitSampler> {
  const client = new pg.Client({ connectionString: databaseUri })
  await client.connect()
  const states = new Map<string, number>()
  const statements = new Map<string, number>()
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
  let running = true
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{
        state: string | null
        type: string | null
        event: string | null
        query: string
      }>(
        `select state, wait_event_type as type, wait_event as event, left(query, 2000) as query
           from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      )
      for (const row of rows) {
        const key =
          row.state === 'active'
            ? row.type
              ? `active, waiting ${row.type}: ${row.event ?? '?'}`
              : 'active, running'
            : (row.state ?? 'unknown')
        add(states, key)
        if (row.type === 'Lock' || row.state === 'idle in transaction')
          add(
            statements,
            `${row.type === 'Lock' ? 'waiting' : 'idle in transaction after'}: ${shorten(row.query)}`,
          )
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      await client.end()
      return { states, statements }
    },
  }
}

/** A statement's shape, short: whitespace collapsed, parameters and the column list elided. */
function shorten(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .replace(/^(select|SELECT) .*? (from|FROM) /, '$1 … $2 ')
    .replace(/\$\d+/g, '?')
    .slice(0, 120)
}
