import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { mongooseAdapter } from '@payloadcms/db-mongodb'
import { postgresAdapter } from '@payloadcms/db-postgres'
import { sqliteAdapter } from '@payloadcms/db-sqlite'
import type { DatabaseAdapterObj } from 'payload'

import { migrations as postgresMigrations } from '../../migrations/postgres'
import { migrations as sqliteMigrations } from '../../migrations/sqlite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export type DatabaseKind = 'mongodb' | 'postgres' | 'sqlite'

export function databaseKind(uri: string): DatabaseKind {
  if (uri.startsWith('mongodb')) return 'mongodb'
  if (uri.startsWith('postgres')) return 'postgres'
  return 'sqlite'
}

/** `file:./data/store.db` → an absolute `file:` URL whose folder exists. */
function sqliteUrl(uri: string): string {
  const file = uri.replace(/^file:(\/\/)?/, '')
  const absolute = path.isAbsolute(file)
    ? file
    : path.resolve(/* turbopackIgnore: true */ process.cwd(), file)
  mkdirSync(path.dirname(absolute), { recursive: true })
  return `file:${absolute}`
}

/**
 * The adapter for DATABASE_URI. Development pushes the schema; production (NODE_ENV=production)
 * applies the migrations committed under migrations/<adapter>/ when it connects.
 */
export function databaseAdapter(uri: string): DatabaseAdapterObj {
  switch (databaseKind(uri)) {
    case 'mongodb':
      // Transactions need a replica set: docker-compose.yml starts MongoDB as one.
      return mongooseAdapter({ url: uri })
    case 'postgres':
      return postgresAdapter({
        // A database that accepts connections but never answers (a partition, a stuck failover)
        // must not hold requests forever: connecting, or waiting for a free pool client, gives up
        // after 10 s with an error the API answers as 503.
        pool: { connectionString: uri, max: 20, connectionTimeoutMillis: 10_000, keepAlive: true },
        migrationDir: path.join(root, 'migrations/postgres'),
        prodMigrations: postgresMigrations,
      })
    case 'sqlite':
      return sqliteAdapter({
        client: { url: sqliteUrl(uri) },
        migrationDir: path.join(root, 'migrations/sqlite'),
        prodMigrations: sqliteMigrations,
        // Transactions stay off (Payload's default for SQLite): libsql opens a second connection per
        // transaction without a busy timeout, so concurrent requests fail with SQLITE_BUSY, and
        // Payload's forgot-password writes outside its own transaction and deadlocks. One connection
        // executing statements synchronously is serialised by itself; multi-step writes that must
        // be all-or-nothing use guarded single-statement updates with compensation instead.
        transactionOptions: false,
        // Several processes may share the file (a second instance, `npm run seed` beside the
        // server): WAL lets readers and a writer proceed together, and a busy timeout makes
        // a writer wait for another's lock instead of failing at once.
        wal: true,
        busyTimeout: 5000,
      })
  }
}

type EventSource = { on: (event: 'error', listener: (error: Error) => void) => unknown }

/**
 * pg emits `error` on idle pool clients whose connection dies (a database restart, a failover);
 * unheard, that event would end the process. The pool replaces such clients by itself.
 */
export function keepPoolErrorsFromCrashing(db: object, onError: (error: Error) => void): void {
  const pool: unknown = 'pool' in db ? db.pool : undefined
  if (pool && typeof pool === 'object' && 'on' in pool) (pool as EventSource).on('error', onError)
}
