import { spawn } from 'node:child_process'

import type { TestDatabase } from './database'
import { root } from './store/process'

/**
 * Runs a benchmark script (`bench/<name>.ts`) as `npm run bench:<name>` would, on `database`
 * (PostgreSQL: that database; SQLite: the benchmark's own temp file), and returns the JSON it
 * prints after `<MARKER> ` on its result line, with its exit code.
 */
export async function runBench<T>(
  name: string,
  marker: string,
  database: TestDatabase,
  env: Record<string, string>,
): Promise<{ result: T; code: number | null }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
  if (database.kind === 'postgres') childEnv.BENCH_DATABASE_URI = database.uri
  const child = spawn(process.execPath, ['--conditions=production', '--import', 'tsx', `bench/${name}.ts`], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  const line = output.split('\n').find((entry) => entry.startsWith(`${marker} `))
  if (!line) throw new Error(`bench/${name}.ts printed no ${marker} (exit ${code}):\n${output}`)
  return { result: JSON.parse(line.slice(marker.length + 1)) as T, code }
}
