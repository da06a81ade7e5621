import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { renderSecurityDoc } from '../test/rbac/securityDoc'

// docs/SECURITY.md from the access matrix (test/rbac/matrix.ts).
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/SECURITY.md')
writeFileSync(target, renderSecurityDoc())
console.log(`wrote ${path.relative(process.cwd(), target)}`)
