import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_order_emails_kind" AS ENUM('confirmation', 'shipped', 'cancelled', 'refunded');
  CREATE TYPE "public"."enum_order_emails_state" AS ENUM('pending', 'sending', 'sent', 'failed');
  CREATE TABLE "order_emails" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"key" varchar NOT NULL,
  	"order_id" integer NOT NULL,
  	"kind" "enum_order_emails_kind" NOT NULL,
  	"state" "enum_order_emails_state" DEFAULT 'pending' NOT NULL,
  	"attempts" numeric DEFAULT 0 NOT NULL,
  	"next_attempt_at" timestamp(3) with time zone NOT NULL,
  	"lease_until" timestamp(3) with time zone,
  	"to" varchar,
  	"subject" varchar,
  	"sent_at" timestamp(3) with time zone,
  	"last_error" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "order_emails_id" integer;
  ALTER TABLE "order_emails" ADD CONSTRAINT "order_emails_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  CREATE UNIQUE INDEX "order_emails_key_idx" ON "order_emails" USING btree ("key");
  CREATE INDEX "order_emails_order_idx" ON "order_emails" USING btree ("order_id");
  CREATE INDEX "order_emails_state_idx" ON "order_emails" USING btree ("state");
  CREATE INDEX "order_emails_next_attempt_at_idx" ON "order_emails" USING btree ("next_attempt_at");
  CREATE INDEX "order_emails_updated_at_idx" ON "order_emails" USING btree ("updated_at");
  CREATE INDEX "order_emails_created_at_idx" ON "order_emails" USING btree ("created_at");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_order_emails_fk" FOREIGN KEY ("order_emails_id") REFERENCES "public"."order_emails"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_order_emails_id_idx" ON "payload_locked_documents_rels" USING btree ("order_emails_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "order_emails" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "order_emails" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_order_emails_fk";
  
  DROP INDEX "payload_locked_documents_rels_order_emails_id_idx";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "order_emails_id";
  DROP TYPE "public"."enum_order_emails_kind";
  DROP TYPE "public"."enum_order_emails_state";`)
}
