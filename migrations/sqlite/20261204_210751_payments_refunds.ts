import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-sqlite'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.run(sql`ALTER TABLE \`orders\` ADD \`amount_refunded\` numeric DEFAULT 0;`)
  await db.run(sql`ALTER TABLE \`orders\` ADD \`payment_stripe_refund_id\` text;`)
  await db.run(sql`ALTER TABLE \`orders\` ADD \`payment_note\` text;`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.run(sql`ALTER TABLE \`orders\` DROP COLUMN \`amount_refunded\`;`)
  await db.run(sql`ALTER TABLE \`orders\` DROP COLUMN \`payment_stripe_refund_id\`;`)
  await db.run(sql`ALTER TABLE \`orders\` DROP COLUMN \`payment_note\`;`)
}
