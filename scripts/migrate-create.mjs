#!/usr/bin/env node
// Creates a migration for each SQL adapter (migrations/sqlite, migrations/postgres) from the
// current collections. `--check` creates nothing: it fails when a migration would be written,
// i.e. when the collections changed without a migration (CI runs it).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const check = process.argv.includes('--check')
// lexical's `node` entry loads itself with a top-level await that Node 20 sometimes never settles
// (exit 13); its production build has none. See README "Node 20 and lexical".
const NODE_CONDITIONS = '--conditions=production'
const name = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'schema'
const tmp = mkdtempSync(path.join(os.tmpdir(), 'migrate-'))
// migrate:create reads the previous migration's snapshot, not a live database: these URIs are never dialled.
const adapters = {
  sqlite: `file:${path.join(tmp, 'unused.db')}`,
  postgres: 'postgres://127.0.0.1:5432/unused',
}

let stale = false
for (const [kind, uri] of Object.entries(adapters)) {
  const dir = path.join('migrations', kind)
  const before = new Set(readdirSync(dir))
  const index = readFileSync(path.join(dir, 'index.ts'), 'utf8')
  const result = spawnSync('npx', ['payload', 'migrate:create', name, '--skip-empty'], {
    env: {
      ...process.env,
      DATABASE_URI: uri,
      NODE_ENV: 'development',
      PAYLOAD_MIGRATING: 'true',
      NODE_OPTIONS: NODE_CONDITIONS,
    },
    encoding: 'utf8',
    // No terminal: a question from drizzle-kit (a rename?) ends the run instead of waiting.
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const created = readdirSync(dir).filter((file) => !before.has(file))
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    process.exit(result.status ?? 1)
  }
  if (created.length === 0) {
    console.log(`${kind}: migrations are up to date`)
  } else if (check) {
    stale = true
    console.error(
      `${kind}: the collections changed without a migration (would create ${created.join(', ')}).`,
    )
    for (const file of created) rmSync(path.join(dir, file))
    writeFileSync(path.join(dir, 'index.ts'), index)
  } else {
    console.log(`${kind}: created ${created.join(', ')}`)
  }
}
rmSync(tmp, { recursive: true, force: true })
if (stale) {
  console.error('Run `npm run migrate:create -- <name>` and commit the files.')
  process.exit(1)
}
