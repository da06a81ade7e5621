import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "orders" ALTER COLUMN "customer_id" DROP NOT NULL;
  ALTER TABLE "carts" ALTER COLUMN "customer_id" DROP NOT NULL;
  ALTER TABLE "coupon_usages" ALTER COLUMN "customer_id" DROP NOT NULL;
  ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_id" DROP NOT NULL;
  ALTER TABLE "orders" ADD COLUMN "email" varchar;
  ALTER TABLE "orders" ADD COLUMN "order_token_hash" varchar;
  ALTER TABLE "carts" ADD COLUMN "token_hash" varchar;
  CREATE INDEX "orders_email_idx" ON "orders" USING btree ("email");
  CREATE UNIQUE INDEX "orders_order_token_hash_idx" ON "orders" USING btree ("order_token_hash");
  CREATE UNIQUE INDEX "carts_token_hash_idx" ON "carts" USING btree ("token_hash");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP INDEX "orders_email_idx";
  DROP INDEX "orders_order_token_hash_idx";
  DROP INDEX "carts_token_hash_idx";
  ALTER TABLE "orders" ALTER COLUMN "customer_id" SET NOT NULL;
  ALTER TABLE "carts" ALTER COLUMN "customer_id" SET NOT NULL;
  ALTER TABLE "coupon_usages" ALTER COLUMN "customer_id" SET NOT NULL;
  ALTER TABLE "idempotency_keys" ALTER COLUMN "customer_id" SET NOT NULL;
  ALTER TABLE "orders" DROP COLUMN "email";
  ALTER TABLE "orders" DROP COLUMN "order_token_hash";
  ALTER TABLE "carts" DROP COLUMN "token_hash";`)
}
