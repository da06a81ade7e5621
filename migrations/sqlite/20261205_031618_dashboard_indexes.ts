import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-sqlite'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.run(sql`CREATE INDEX \`orders_payment_payment_issue_idx\` ON \`orders\` (\`payment_issue\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_note_idx\` ON \`orders\` (\`payment_note\`);`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.run(sql`DROP INDEX \`orders_payment_payment_issue_idx\`;`)
  await db.run(sql`DROP INDEX \`orders_payment_payment_note_idx\`;`)
}
