import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TABLE "stripe_events" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"event_id" varchar NOT NULL,
  	"type" varchar NOT NULL,
  	"order_id" integer,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "orders" ADD COLUMN "payment_stripe_session_id" varchar;
  ALTER TABLE "orders" ADD COLUMN "payment_stripe_payment_intent_id" varchar;
  ALTER TABLE "orders" ADD COLUMN "payment_expires_at" timestamp(3) with time zone;
  ALTER TABLE "orders" ADD COLUMN "payment_issue" varchar;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "stripe_events_id" integer;
  ALTER TABLE "stripe_events" ADD CONSTRAINT "stripe_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  CREATE UNIQUE INDEX "stripe_events_event_id_idx" ON "stripe_events" USING btree ("event_id");
  CREATE INDEX "stripe_events_order_idx" ON "stripe_events" USING btree ("order_id");
  CREATE INDEX "stripe_events_updated_at_idx" ON "stripe_events" USING btree ("updated_at");
  CREATE INDEX "stripe_events_created_at_idx" ON "stripe_events" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_stripe_events_fk" FOREIGN KEY ("stripe_events_id") REFERENCES "public"."stripe_events"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "orders_payment_payment_stripe_session_id_idx" ON "orders" USING btree ("payment_stripe_session_id");
  CREATE INDEX "orders_payment_payment_stripe_payment_intent_id_idx" ON "orders" USING btree ("payment_stripe_payment_intent_id");
  CREATE INDEX "orders_payment_payment_expires_at_idx" ON "orders" USING btree ("payment_expires_at");
  CREATE INDEX "payload_locked_documents_rels_stripe_events_id_idx" ON "payload_locked_documents_rels" USING btree ("stripe_events_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "stripe_events" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "stripe_events" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_stripe_events_fk";
  
  DROP INDEX "orders_payment_payment_stripe_session_id_idx";
  DROP INDEX "orders_payment_payment_stripe_payment_intent_id_idx";
  DROP INDEX "orders_payment_payment_expires_at_idx";
  DROP INDEX "payload_locked_documents_rels_stripe_events_id_idx";
  ALTER TABLE "orders" DROP COLUMN "payment_stripe_session_id";
  ALTER TABLE "orders" DROP COLUMN "payment_stripe_payment_intent_id";
  ALTER TABLE "orders" DROP COLUMN "payment_expires_at";
  ALTER TABLE "orders" DROP COLUMN "payment_issue";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "stripe_events_id";`)
}
