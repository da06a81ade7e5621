import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db }: MigrateUpArgs): Promise<void> {
  // The cart's lines move from the carts_items table into one jsonb column (one statement per
  // cart write, src/cart/lines.ts); existing carts keep their lines, in order.
  await db.execute(sql`
   ALTER TABLE "carts" ADD COLUMN "items" jsonb DEFAULT '[]'::jsonb;
  ALTER TABLE "carts" ADD COLUMN "revision" numeric DEFAULT 0;
  UPDATE "carts" SET "items" = "lines"."items" FROM (
    SELECT "_parent_id", jsonb_agg(jsonb_build_object('product', "product_id", 'quantity', "quantity"::integer) ORDER BY "_order") AS "items"
    FROM "carts_items" WHERE "product_id" IS NOT NULL GROUP BY "_parent_id"
  ) AS "lines" WHERE "lines"."_parent_id" = "carts"."id";
  DROP TABLE "carts_items" CASCADE;`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   CREATE TABLE "carts_items" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"product_id" integer NOT NULL,
  	"quantity" numeric NOT NULL
  );
  
  ALTER TABLE "carts_items" ADD CONSTRAINT "carts_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "carts_items" ADD CONSTRAINT "carts_items_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."carts"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "carts_items_order_idx" ON "carts_items" USING btree ("_order");
  CREATE INDEX "carts_items_parent_id_idx" ON "carts_items" USING btree ("_parent_id");
  CREATE INDEX "carts_items_product_idx" ON "carts_items" USING btree ("product_id");
  INSERT INTO "carts_items" ("_order", "_parent_id", "id", "product_id", "quantity")
    SELECT "line"."n", "carts"."id", substr(md5(random()::text || clock_timestamp()::text), 1, 24),
      ("line"."value"->>'product')::integer, ("line"."value"->>'quantity')::numeric
    FROM "carts", jsonb_array_elements(COALESCE("carts"."items", '[]'::jsonb)) WITH ORDINALITY AS "line"("value", "n")
    WHERE ("line"."value"->>'product')::integer IN (SELECT "id" FROM "products");
  ALTER TABLE "carts" DROP COLUMN "items";
  ALTER TABLE "carts" DROP COLUMN "revision";`)
}
