import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE INDEX "orders_payment_payment_issue_idx" ON "orders" USING btree ("payment_issue");
  CREATE INDEX "orders_payment_payment_note_idx" ON "orders" USING btree ("payment_note");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP INDEX "orders_payment_payment_issue_idx";
  DROP INDEX "orders_payment_payment_note_idx";`)
}
