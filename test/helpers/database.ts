import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import pg from 'pg'

export type TestDatabase = { uri: string; kind: 'sqlite' | 'postgres' | 'mongodb'; drop: () => Promise<void> }

/**
 * A fresh, empty database for one test file, of the kind TEST_DATABASE_URI names:
 * unset → an SQLite temp file; postgres:// → a new database on that server; mongodb:// → a new
 * database name on that server (dropped by Payload's adapter on the next run's push).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.TEST_DATABASE_URI ?? ''
  const name = `test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  if (base.startsWith('postgres')) {
    const admin = new pg.Client({ connectionString: base })
    await admin.connect()
    await admin.query(`CREATE DATABASE "${name}"`)
    await admin.end()
    const url = new URL(base)
    url.pathname = `/${name}`
    return {
      uri: url.toString(),
      kind: 'postgres',
      drop: async () => {
        const client = new pg.Client({ connectionString: base })
        await client.connect()
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
        await client.end()
      },
    }
  }
  if (base.startsWith('mongodb')) {
    const url = new URL(base)
    url.pathname = `/${name}`
    return { uri: url.toString(), kind: 'mongodb', drop: async () => {} }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'store-test-'))
  return {
    uri: `file:${path.join(dir, 'store.db')}`,
    kind: 'sqlite',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}
