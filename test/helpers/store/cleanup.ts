import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

// One registry, so no child process or temp dir outlives the test file or benchmark however it
// ends. Entries leave it as children exit and dirs are removed.

type Stoppable = { readonly running: boolean; readonly process: ChildProcess; stop: () => Promise<void> }

const children = new Set<Stoppable>()
const tempDirs = new Set<string>()
let exitHandlerInstalled = false
let signalHandlersInstalled = false

function onExit(): void {
  if (exitHandlerInstalled) return
  exitHandlerInstalled = true
  // On 'exit' only synchronous work runs: SIGKILL is the last resort.
  process.on('exit', () => {
    for (const child of children) if (child.running) child.process.kill('SIGKILL')
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  })
}

/**
 * Ctrl-C or SIGTERM stops the children and removes the temp dirs before exiting. For scripts
 * (the benchmarks): under Jest the runner owns the signals.
 */
export function cleanUpOnSignals(): void {
  if (signalHandlersInstalled) return
  signalHandlersInstalled = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the child processes and removing the temp dirs`)
      void cleanUp().finally(() => process.exit(130))
    })
  }
}

export function registerChild(child: Stoppable): void {
  onExit()
  children.add(child)
}

export function unregisterChild(child: Stoppable): void {
  children.delete(child)
}

/** Stops every child still running, then removes the temp dirs (which may hold their databases). */
export async function cleanUp(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop()))
  const dirs = [...tempDirs]
  tempDirs.clear()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
}

/** A fresh directory under the OS temp dir, removed by cleanUp() or at exit if not before. */
export async function makeTempDir(prefix: string): Promise<string> {
  onExit()
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir)
  await rm(dir, { recursive: true, force: true })
}
