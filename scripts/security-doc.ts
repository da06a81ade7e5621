import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { renderSecurityDoc } from '../src/access/securityDoc'

// docs/SECURITY.md from the access matrix (src/access/matrix.ts).
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/SECURITY.md')
writeFileSync(target, renderSecurityDoc())
console.log(`wrote ${path.relative(process.cwd(), target)}`)
