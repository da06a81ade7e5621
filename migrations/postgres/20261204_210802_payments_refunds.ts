import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "orders" ADD COLUMN "amount_refunded" numeric DEFAULT 0;
  ALTER TABLE "orders" ADD COLUMN "payment_stripe_refund_id" varchar;
  ALTER TABLE "orders" ADD COLUMN "payment_note" varchar;`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "orders" DROP COLUMN "amount_refunded";
  ALTER TABLE "orders" DROP COLUMN "payment_stripe_refund_id";
  ALTER TABLE "orders" DROP COLUMN "payment_note";`)
}
