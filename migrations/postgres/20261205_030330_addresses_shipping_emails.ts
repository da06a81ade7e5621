import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_order_emails_kind" AS ENUM('confirmation', 'shipped', 'cancelled', 'refunded');
  CREATE TYPE "public"."enum_order_emails_state" AS ENUM('pending', 'sending', 'sent', 'failed');
  CREATE TABLE "orders_tax_lines" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"name" varchar NOT NULL,
  	"rate" numeric NOT NULL,
  	"amount" numeric NOT NULL
  );
  
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
  
  CREATE TABLE "shipping_methods" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"name" varchar NOT NULL,
  	"price" numeric NOT NULL,
  	"free_above" numeric,
  	"enabled" boolean DEFAULT true,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "shipping_methods_texts" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order" integer NOT NULL,
  	"parent_id" integer NOT NULL,
  	"path" varchar NOT NULL,
  	"text" varchar
  );
  
  CREATE TABLE "tax_rates" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"name" varchar NOT NULL,
  	"country" varchar NOT NULL,
  	"region" varchar,
  	"rate" numeric NOT NULL,
  	"applies_to_shipping" boolean DEFAULT false,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "addresses" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"customer_id" integer,
  	"name" varchar NOT NULL,
  	"line1" varchar NOT NULL,
  	"line2" varchar,
  	"city" varchar NOT NULL,
  	"region" varchar,
  	"postal_code" varchar NOT NULL,
  	"country" varchar NOT NULL,
  	"phone" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "orders" ADD COLUMN "tax" numeric;
  ALTER TABLE "orders" ADD COLUMN "shipping_method_method_id" varchar;
  ALTER TABLE "orders" ADD COLUMN "shipping_method_name" varchar;
  ALTER TABLE "orders" ADD COLUMN "shipping_address_region" varchar;
  ALTER TABLE "users" ADD COLUMN "default_address_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "order_emails_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "shipping_methods_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "tax_rates_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "addresses_id" integer;
  ALTER TABLE "orders_tax_lines" ADD CONSTRAINT "orders_tax_lines_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "order_emails" ADD CONSTRAINT "order_emails_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "shipping_methods_texts" ADD CONSTRAINT "shipping_methods_texts_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."shipping_methods"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "addresses" ADD CONSTRAINT "addresses_customer_id_users_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "orders_tax_lines_order_idx" ON "orders_tax_lines" USING btree ("_order");
  CREATE INDEX "orders_tax_lines_parent_id_idx" ON "orders_tax_lines" USING btree ("_parent_id");
  CREATE UNIQUE INDEX "order_emails_key_idx" ON "order_emails" USING btree ("key");
  CREATE INDEX "order_emails_order_idx" ON "order_emails" USING btree ("order_id");
  CREATE INDEX "order_emails_state_idx" ON "order_emails" USING btree ("state");
  CREATE INDEX "order_emails_next_attempt_at_idx" ON "order_emails" USING btree ("next_attempt_at");
  CREATE INDEX "order_emails_updated_at_idx" ON "order_emails" USING btree ("updated_at");
  CREATE INDEX "order_emails_created_at_idx" ON "order_emails" USING btree ("created_at");
  CREATE INDEX "shipping_methods_enabled_idx" ON "shipping_methods" USING btree ("enabled");
  CREATE INDEX "shipping_methods_updated_at_idx" ON "shipping_methods" USING btree ("updated_at");
  CREATE INDEX "shipping_methods_created_at_idx" ON "shipping_methods" USING btree ("created_at");
  CREATE INDEX "shipping_methods_texts_order_parent" ON "shipping_methods_texts" USING btree ("order","parent_id");
  CREATE INDEX "tax_rates_country_idx" ON "tax_rates" USING btree ("country");
  CREATE INDEX "tax_rates_updated_at_idx" ON "tax_rates" USING btree ("updated_at");
  CREATE INDEX "tax_rates_created_at_idx" ON "tax_rates" USING btree ("created_at");
  CREATE INDEX "addresses_customer_idx" ON "addresses" USING btree ("customer_id");
  CREATE INDEX "addresses_updated_at_idx" ON "addresses" USING btree ("updated_at");
  CREATE INDEX "addresses_created_at_idx" ON "addresses" USING btree ("created_at");
  ALTER TABLE "users" ADD CONSTRAINT "users_default_address_id_addresses_id_fk" FOREIGN KEY ("default_address_id") REFERENCES "public"."addresses"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_order_emails_fk" FOREIGN KEY ("order_emails_id") REFERENCES "public"."order_emails"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_shipping_methods_fk" FOREIGN KEY ("shipping_methods_id") REFERENCES "public"."shipping_methods"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_tax_rates_fk" FOREIGN KEY ("tax_rates_id") REFERENCES "public"."tax_rates"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_addresses_fk" FOREIGN KEY ("addresses_id") REFERENCES "public"."addresses"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "users_default_address_idx" ON "users" USING btree ("default_address_id");
  CREATE INDEX "payload_locked_documents_rels_order_emails_id_idx" ON "payload_locked_documents_rels" USING btree ("order_emails_id");
  CREATE INDEX "payload_locked_documents_rels_shipping_methods_id_idx" ON "payload_locked_documents_rels" USING btree ("shipping_methods_id");
  CREATE INDEX "payload_locked_documents_rels_tax_rates_id_idx" ON "payload_locked_documents_rels" USING btree ("tax_rates_id");
  CREATE INDEX "payload_locked_documents_rels_addresses_id_idx" ON "payload_locked_documents_rels" USING btree ("addresses_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "orders_tax_lines" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "order_emails" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "shipping_methods" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "shipping_methods_texts" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "tax_rates" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "addresses" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "orders_tax_lines" CASCADE;
  DROP TABLE "order_emails" CASCADE;
  DROP TABLE "shipping_methods" CASCADE;
  DROP TABLE "shipping_methods_texts" CASCADE;
  DROP TABLE "tax_rates" CASCADE;
  DROP TABLE "addresses" CASCADE;
  ALTER TABLE "users" DROP CONSTRAINT "users_default_address_id_addresses_id_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_order_emails_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_shipping_methods_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_tax_rates_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_addresses_fk";
  
  DROP INDEX "users_default_address_idx";
  DROP INDEX "payload_locked_documents_rels_order_emails_id_idx";
  DROP INDEX "payload_locked_documents_rels_shipping_methods_id_idx";
  DROP INDEX "payload_locked_documents_rels_tax_rates_id_idx";
  DROP INDEX "payload_locked_documents_rels_addresses_id_idx";
  ALTER TABLE "orders" DROP COLUMN "tax";
  ALTER TABLE "orders" DROP COLUMN "shipping_method_method_id";
  ALTER TABLE "orders" DROP COLUMN "shipping_method_name";
  ALTER TABLE "orders" DROP COLUMN "shipping_address_region";
  ALTER TABLE "users" DROP COLUMN "default_address_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "order_emails_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "shipping_methods_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "tax_rates_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "addresses_id";
  DROP TYPE "public"."enum_order_emails_kind";
  DROP TYPE "public"."enum_order_emails_state";`)
}
