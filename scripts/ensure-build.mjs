#!/usr/bin/env node
// The browser and production-start tests need the built admin UI: build it when it is missing
// or older than the sources it is made from, so `npm test` works from a fresh clone.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const SOURCES = [
  'src',
  'collections',
  'hooks',
  'endpoints',
  'payload.config.ts',
  'next.config.mjs',
  'package-lock.json',
]
const marker = path.join('.next', 'BUILD_ID')

function newest(entry) {
  if (!existsSync(entry)) return 0
  const stat = statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(entry).reduce(
    (max, child) => Math.max(max, newest(path.join(entry, child))),
    stat.mtimeMs,
  )
}

const builtAt = existsSync(marker) ? statSync(marker).mtimeMs : 0
const changedAt = Math.max(...SOURCES.map(newest))
if (builtAt > changedAt) process.exit(0)

console.log(
  builtAt ? 'Sources changed since the last build: rebuilding the admin UI…' : 'Building the admin UI once…',
)
const result = spawnSync('npm', ['run', 'build'], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
})
process.exit(result.status ?? 1)
