import {
  ACTORS,
  ACTOR_NAMES,
  COLLECTIONS,
  ENDPOINTS,
  FIELD_RULES,
  HIDDEN_USER_FIELDS,
  OPERATIONS,
} from './matrix'
import type { CollectionPolicy, Rule } from './matrix'

// Renders test/rbac/matrix.ts as docs/SECURITY.md (`npm run docs:security`). The file is
// generated: test/rbac.test.ts fails when it differs from this output.

const INTRO = `# Security: who may do what

_Generated from \`test/rbac/matrix.ts\` by \`npm run docs:security\`; do not edit by hand.
\`test/rbac.test.ts\` runs every cell below against a real server, over REST and GraphQL, on
SQLite and PostgreSQL._

## Roles

- **anonymous**: no token. Reads the live catalog (published products, brands, categories, public
  images), registers, logs in, starts a guest cart.
- **guest (cart token)**: no login, the \`X-Cart-Token\` of a guest cart (\`POST /api/carts/guest\`).
  Everything anonymous may do, plus that one cart through \`/api/carts/mine…\` and its checkout
  (with \`email\`); never the \`carts\` collection itself, another cart, or any order.
- **guest (order token)**: no login, the \`X-Order-Token\` a guest checkout answered. Everything
  anonymous may do, plus reading (REST and GraphQL) and cancelling that one order; nothing else.
  Both tokens are 256 random bits, stored only as their SHA-256, never answered by any API.
- **customer**: a verified account with the \`customer\` role (every registration). Owns their
  account, cart, orders and uploads, and sees nothing of anyone else's.
- **another customer**: the same role, looking at the first customer's documents: the
  columns differ only for documents with an owner (accounts, carts, orders, private uploads).
- **admin**: the \`admin\` role. The first user (\`/api/users/first-register\`) is an admin; only an
  admin can make another. Admins see and manage everything, except what no one may change
  (order snapshots, the system collections).

Authentication is \`Authorization: JWT <token>\` or the \`payload-token\` cookie (from
\`POST /api/users/login\`; unverified accounts cannot log in).

## How refusals look

- Collections (Payload's generated REST): an operation the caller may not perform at all answers
  **403** (also when not logged in: Payload's standard, which the storefront contract keeps for generated
  endpoints). Reads of owned documents filter themselves: a list holds only what the caller may
  see, and the id of anything else answers **404**, exactly like an id that does not exist.
  Updating or deleting a document the caller cannot touch answers **403** and changes nothing.
- GraphQL (\`POST /api/graphql\`) applies the same rules: the field is \`null\` and the error
  carries the same status in \`extensions.statusCode\`; lists are filtered the same way.
- Custom endpoints answer **401** without a login and **403** when the role is wrong.

## Field-level rules

| collection | fields | rule |
|---|---|---|
${FIELD_RULES.map((rule) => `| ${rule.collection} | ${rule.fields} | ${rule.rule} |`).join('\n')}

Hidden auth fields (${HIDDEN_USER_FIELDS.map((field) => `\`${field}\``).join(', ')}) never appear in
any REST or GraphQL answer.

## Private media

Every upload records its uploader in \`owner\`. Customer uploads (avatars) are **private**: only
their owner and admins can list them, read them or fetch the file and its resized variants
(\`/api/media/file/<filename>\`); anyone else gets 404 on the document and 403 on the file. Admin
uploads (catalog images) are public. Customers can change or delete only their own uploads, and
a customer's avatar can only point at one of their own uploads.
`

function cell(rule: Rule): string {
  switch (rule.kind) {
    case 'all':
      return '✅ yes'
    case 'only':
      return `◐ ${rule.note}`
    case 'denied':
      return `❌ ${rule.status}`
  }
}

function collectionSection(policy: CollectionPolicy): string {
  const header = `| operation | ${ACTORS.map((actor) => ACTOR_NAMES[actor]).join(' | ')} |`
  const divider = `|---|${ACTORS.map(() => '---').join('|')}|`
  const rows = OPERATIONS.map(
    (operation) =>
      `| ${operation} | ${ACTORS.map((actor) => cell(policy.rules[operation][actor])).join(' | ')} |`,
  )
  const graphql = policy.graphql
  const names = [
    `\`${graphql.plural}\``,
    `\`${graphql.singular}\``,
    ...(graphql.create ? [`\`create${graphql.singular}\``] : []),
    `\`update${graphql.singular}\``,
    `\`delete${graphql.singular}\``,
  ].join(', ')
  const notes = (policy.notes ?? []).map((note) => `- ${note}`)
  return [
    `### ${policy.title} (\`/api/${policy.slug}\`)`,
    '',
    header,
    divider,
    ...rows,
    '',
    `- REST: \`/api/${policy.slug}\` (find, create), \`/api/${policy.slug}/<id>\` (findByID, update, delete). GraphQL: ${names}.`,
    ...notes,
  ].join('\n')
}

function endpointSection(): string {
  const header = `| endpoint | request | ${ACTORS.map((actor) => ACTOR_NAMES[actor]).join(' | ')} |`
  const divider = `|---|---|${ACTORS.map(() => '---').join('|')}|`
  const rows = ENDPOINTS.map((endpoint) => {
    const cells = ACTORS.map((actor) => {
      const { status, note } = endpoint.expect[actor]
      return note ? `${status}: ${note}` : String(status)
    })
    return `| \`${endpoint.method} ${endpoint.path}\` | ${endpoint.what} | ${cells.join(' | ')} |`
  })
  return [
    '## Custom endpoints',
    '',
    "REST only. Each cart and checkout endpoint acts on the caller's own cart; there is no way to name another's.",
    '',
    header,
    divider,
    ...rows,
    '',
    "Socket.IO rooms follow the same ownership: `order:subscribe` succeeds only for the caller's own orders (admins: any); see test/realtime.test.ts.",
  ].join('\n')
}

const REVIEWS = `## Reviews

- **December 2026: a hostile client and a busy storefront**
  ([docs/security-review.md](security-review.md)). Tried from outside on SQLite and PostgreSQL
  against the OWASP API Security Top 10 (2023). Fifteen findings, all fixed with regression tests:
  concurrent checkouts of one cart and lost cart updates; partial refunds, late payments for
  cancelled orders and webhook events matched by their metadata; order events with states the
  order never had and sockets that kept rights their user lost; password reset with an avatar,
  unproven email and password changes, leaking \`sessions\`, account enumeration; unbounded
  GraphQL work, guessable coupon codes, 500s for client input; a shutdown that hung while Redis
  was down.`

export function renderSecurityDoc(): string {
  const legend =
    'Legend: ✅ allowed on every document · ◐ allowed on some documents only (the rest are filtered out of lists, 404 by id, 403 on change) · ❌ refused with that status, nothing changes.'
  return `${[
    INTRO,
    '## Collections',
    '',
    legend,
    '',
    ...COLLECTIONS.map((policy) => collectionSection(policy)).flatMap((section) => [section, '']),
    endpointSection(),
    '',
    REVIEWS,
  ].join('\n')}\n`
}
