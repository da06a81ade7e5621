import { mkdirSync } from 'node:fs'
import path from 'node:path'

import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'

import { root } from './store/process'
import { CHROMIUM } from './services'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Debian's Chromium (test/helpers/services.ts CHROMIUM), headless, with the flags CI needs. */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Chromium is not installed (apt-get install chromium)')
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/**
 * Collects what should never happen in the admin UI: uncaught page errors and Content Security
 * Policy violations reported on the console. The returned array fills as the page runs.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
      problems.push(message.text())
  })
  return problems
}

export const RESULTS_DIR = path.join(root, 'test-results')

/** A full-page screenshot into test-results/ (git-ignored), named `<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
