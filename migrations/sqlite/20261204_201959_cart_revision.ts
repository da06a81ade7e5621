import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-sqlite'

export async function up({ db }: MigrateUpArgs): Promise<void> {
  // The cart's lines move from the carts_items table into one JSON column (one statement per
  // cart write, src/cart/lines.ts); existing carts keep their lines, in order.
  await db.run(sql`ALTER TABLE \`carts\` ADD \`items\` text DEFAULT '[]';`)
  await db.run(sql`ALTER TABLE \`carts\` ADD \`revision\` numeric DEFAULT 0;`)
  await db.run(sql`UPDATE \`carts\` SET \`items\` = (
    SELECT json_group_array(json_object('product', \`product_id\`, 'quantity', CAST(\`quantity\` AS integer)))
    FROM (SELECT \`product_id\`, \`quantity\` FROM \`carts_items\`
      WHERE \`_parent_id\` = \`carts\`.\`id\` AND \`product_id\` IS NOT NULL ORDER BY \`_order\`)
  );`)
  await db.run(sql`DROP TABLE \`carts_items\`;`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.run(sql`CREATE TABLE \`carts_items\` (
  	\`_order\` integer NOT NULL,
  	\`_parent_id\` integer NOT NULL,
  	\`id\` text PRIMARY KEY NOT NULL,
  	\`product_id\` integer NOT NULL,
  	\`quantity\` numeric NOT NULL,
  	FOREIGN KEY (\`product_id\`) REFERENCES \`products\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`_parent_id\`) REFERENCES \`carts\`(\`id\`) ON UPDATE no action ON DELETE cascade
  );
  `)
  await db.run(sql`CREATE INDEX \`carts_items_order_idx\` ON \`carts_items\` (\`_order\`);`)
  await db.run(sql`CREATE INDEX \`carts_items_parent_id_idx\` ON \`carts_items\` (\`_parent_id\`);`)
  await db.run(sql`CREATE INDEX \`carts_items_product_idx\` ON \`carts_items\` (\`product_id\`);`)
  await db.run(sql`INSERT INTO \`carts_items\` (\`_order\`, \`_parent_id\`, \`id\`, \`product_id\`, \`quantity\`)
    SELECT CAST(\`line\`.\`key\` AS integer) + 1, \`carts\`.\`id\`, lower(hex(randomblob(12))),
      json_extract(\`line\`.\`value\`, '$.product'), json_extract(\`line\`.\`value\`, '$.quantity')
    FROM \`carts\`, json_each(COALESCE(\`carts\`.\`items\`, '[]')) AS \`line\`
    WHERE json_extract(\`line\`.\`value\`, '$.product') IN (SELECT \`id\` FROM \`products\`);`)
  await db.run(sql`ALTER TABLE \`carts\` DROP COLUMN \`items\`;`)
  await db.run(sql`ALTER TABLE \`carts\` DROP COLUMN \`revision\`;`)
}
