import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-sqlite'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.run(sql`PRAGMA foreign_keys=OFF;`)
  await db.run(sql`CREATE TABLE \`__new_orders\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`order_number\` text NOT NULL,
  	\`status\` text DEFAULT 'pending' NOT NULL,
  	\`payment_status\` text DEFAULT 'unpaid' NOT NULL,
  	\`payment_method\` text NOT NULL,
  	\`customer_id\` integer,
  	\`email\` text,
  	\`order_token_hash\` text,
  	\`subtotal\` numeric NOT NULL,
  	\`discount\` numeric NOT NULL,
  	\`shipping\` numeric NOT NULL,
  	\`total\` numeric NOT NULL,
  	\`amount_refunded\` numeric DEFAULT 0,
  	\`currency\` text NOT NULL,
  	\`coupon_code\` text,
  	\`coupon_id\` integer,
  	\`shipping_address_name\` text NOT NULL,
  	\`shipping_address_line1\` text NOT NULL,
  	\`shipping_address_line2\` text,
  	\`shipping_address_city\` text NOT NULL,
  	\`shipping_address_postal_code\` text NOT NULL,
  	\`shipping_address_country\` text NOT NULL,
  	\`shipping_address_phone\` text,
  	\`payment_stripe_session_id\` text,
  	\`payment_stripe_payment_intent_id\` text,
  	\`payment_expires_at\` text,
  	\`payment_stripe_refund_id\` text,
  	\`payment_issue\` text,
  	\`payment_note\` text,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_orders\`("id", "order_number", "status", "payment_status", "payment_method", "customer_id", "email", "order_token_hash", "subtotal", "discount", "shipping", "total", "amount_refunded", "currency", "coupon_code", "coupon_id", "shipping_address_name", "shipping_address_line1", "shipping_address_line2", "shipping_address_city", "shipping_address_postal_code", "shipping_address_country", "shipping_address_phone", "payment_stripe_session_id", "payment_stripe_payment_intent_id", "payment_expires_at", "payment_stripe_refund_id", "payment_issue", "payment_note", "updated_at", "created_at") SELECT "id", "order_number", "status", "payment_status", "payment_method", "customer_id", NULL, NULL, "subtotal", "discount", "shipping", "total", "amount_refunded", "currency", "coupon_code", "coupon_id", "shipping_address_name", "shipping_address_line1", "shipping_address_line2", "shipping_address_city", "shipping_address_postal_code", "shipping_address_country", "shipping_address_phone", "payment_stripe_session_id", "payment_stripe_payment_intent_id", "payment_expires_at", "payment_stripe_refund_id", "payment_issue", "payment_note", "updated_at", "created_at" FROM \`orders\`;`)
  await db.run(sql`DROP TABLE \`orders\`;`)
  await db.run(sql`ALTER TABLE \`__new_orders\` RENAME TO \`orders\`;`)
  await db.run(sql`PRAGMA foreign_keys=ON;`)
  await db.run(sql`CREATE UNIQUE INDEX \`orders_order_number_idx\` ON \`orders\` (\`order_number\`);`)
  await db.run(sql`CREATE INDEX \`orders_status_idx\` ON \`orders\` (\`status\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_status_idx\` ON \`orders\` (\`payment_status\`);`)
  await db.run(sql`CREATE INDEX \`orders_customer_idx\` ON \`orders\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_email_idx\` ON \`orders\` (\`email\`);`)
  await db.run(sql`CREATE UNIQUE INDEX \`orders_order_token_hash_idx\` ON \`orders\` (\`order_token_hash\`);`)
  await db.run(sql`CREATE INDEX \`orders_coupon_idx\` ON \`orders\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_stripe_session_id_idx\` ON \`orders\` (\`payment_stripe_session_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_stripe_payment_intent_id_idx\` ON \`orders\` (\`payment_stripe_payment_intent_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_expires_at_idx\` ON \`orders\` (\`payment_expires_at\`);`)
  await db.run(sql`CREATE INDEX \`orders_updated_at_idx\` ON \`orders\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`orders_created_at_idx\` ON \`orders\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_carts\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`customer_id\` integer,
  	\`token_hash\` text,
  	\`items\` text DEFAULT '[]',
  	\`coupon_id\` integer,
  	\`revision\` numeric DEFAULT 0,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_carts\`("id", "customer_id", "token_hash", "items", "coupon_id", "revision", "updated_at", "created_at") SELECT "id", "customer_id", NULL, "items", "coupon_id", "revision", "updated_at", "created_at" FROM \`carts\`;`)
  await db.run(sql`DROP TABLE \`carts\`;`)
  await db.run(sql`ALTER TABLE \`__new_carts\` RENAME TO \`carts\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`carts_customer_idx\` ON \`carts\` (\`customer_id\`);`)
  await db.run(sql`CREATE UNIQUE INDEX \`carts_token_hash_idx\` ON \`carts\` (\`token_hash\`);`)
  await db.run(sql`CREATE INDEX \`carts_coupon_idx\` ON \`carts\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`carts_updated_at_idx\` ON \`carts\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`carts_created_at_idx\` ON \`carts\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_coupon_usages\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`key\` text NOT NULL,
  	\`coupon_id\` integer NOT NULL,
  	\`customer_id\` integer,
  	\`count\` numeric DEFAULT 0 NOT NULL,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_coupon_usages\`("id", "key", "coupon_id", "customer_id", "count", "updated_at", "created_at") SELECT "id", "key", "coupon_id", "customer_id", "count", "updated_at", "created_at" FROM \`coupon_usages\`;`)
  await db.run(sql`DROP TABLE \`coupon_usages\`;`)
  await db.run(sql`ALTER TABLE \`__new_coupon_usages\` RENAME TO \`coupon_usages\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`coupon_usages_key_idx\` ON \`coupon_usages\` (\`key\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_coupon_idx\` ON \`coupon_usages\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_customer_idx\` ON \`coupon_usages\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_updated_at_idx\` ON \`coupon_usages\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_created_at_idx\` ON \`coupon_usages\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_idempotency_keys\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`key\` text NOT NULL,
  	\`customer_id\` integer,
  	\`request_hash\` text NOT NULL,
  	\`state\` text DEFAULT 'processing' NOT NULL,
  	\`status\` numeric,
  	\`response\` text,
  	\`order_id\` integer,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`order_id\`) REFERENCES \`orders\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_idempotency_keys\`("id", "key", "customer_id", "request_hash", "state", "status", "response", "order_id", "updated_at", "created_at") SELECT "id", "key", "customer_id", "request_hash", "state", "status", "response", "order_id", "updated_at", "created_at" FROM \`idempotency_keys\`;`)
  await db.run(sql`DROP TABLE \`idempotency_keys\`;`)
  await db.run(sql`ALTER TABLE \`__new_idempotency_keys\` RENAME TO \`idempotency_keys\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`idempotency_keys_key_idx\` ON \`idempotency_keys\` (\`key\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_customer_idx\` ON \`idempotency_keys\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_order_idx\` ON \`idempotency_keys\` (\`order_id\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_updated_at_idx\` ON \`idempotency_keys\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_created_at_idx\` ON \`idempotency_keys\` (\`created_at\`);`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.run(sql`PRAGMA foreign_keys=OFF;`)
  await db.run(sql`CREATE TABLE \`__new_orders\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`order_number\` text NOT NULL,
  	\`status\` text DEFAULT 'pending' NOT NULL,
  	\`payment_status\` text DEFAULT 'unpaid' NOT NULL,
  	\`payment_method\` text NOT NULL,
  	\`customer_id\` integer NOT NULL,
  	\`subtotal\` numeric NOT NULL,
  	\`discount\` numeric NOT NULL,
  	\`shipping\` numeric NOT NULL,
  	\`total\` numeric NOT NULL,
  	\`amount_refunded\` numeric DEFAULT 0,
  	\`currency\` text NOT NULL,
  	\`coupon_code\` text,
  	\`coupon_id\` integer,
  	\`shipping_address_name\` text NOT NULL,
  	\`shipping_address_line1\` text NOT NULL,
  	\`shipping_address_line2\` text,
  	\`shipping_address_city\` text NOT NULL,
  	\`shipping_address_postal_code\` text NOT NULL,
  	\`shipping_address_country\` text NOT NULL,
  	\`shipping_address_phone\` text,
  	\`payment_stripe_session_id\` text,
  	\`payment_stripe_payment_intent_id\` text,
  	\`payment_expires_at\` text,
  	\`payment_stripe_refund_id\` text,
  	\`payment_issue\` text,
  	\`payment_note\` text,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_orders\`("id", "order_number", "status", "payment_status", "payment_method", "customer_id", "subtotal", "discount", "shipping", "total", "amount_refunded", "currency", "coupon_code", "coupon_id", "shipping_address_name", "shipping_address_line1", "shipping_address_line2", "shipping_address_city", "shipping_address_postal_code", "shipping_address_country", "shipping_address_phone", "payment_stripe_session_id", "payment_stripe_payment_intent_id", "payment_expires_at", "payment_stripe_refund_id", "payment_issue", "payment_note", "updated_at", "created_at") SELECT "id", "order_number", "status", "payment_status", "payment_method", "customer_id", "subtotal", "discount", "shipping", "total", "amount_refunded", "currency", "coupon_code", "coupon_id", "shipping_address_name", "shipping_address_line1", "shipping_address_line2", "shipping_address_city", "shipping_address_postal_code", "shipping_address_country", "shipping_address_phone", "payment_stripe_session_id", "payment_stripe_payment_intent_id", "payment_expires_at", "payment_stripe_refund_id", "payment_issue", "payment_note", "updated_at", "created_at" FROM \`orders\`;`)
  await db.run(sql`DROP TABLE \`orders\`;`)
  await db.run(sql`ALTER TABLE \`__new_orders\` RENAME TO \`orders\`;`)
  await db.run(sql`PRAGMA foreign_keys=ON;`)
  await db.run(sql`CREATE UNIQUE INDEX \`orders_order_number_idx\` ON \`orders\` (\`order_number\`);`)
  await db.run(sql`CREATE INDEX \`orders_status_idx\` ON \`orders\` (\`status\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_status_idx\` ON \`orders\` (\`payment_status\`);`)
  await db.run(sql`CREATE INDEX \`orders_customer_idx\` ON \`orders\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_coupon_idx\` ON \`orders\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_stripe_session_id_idx\` ON \`orders\` (\`payment_stripe_session_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_stripe_payment_intent_id_idx\` ON \`orders\` (\`payment_stripe_payment_intent_id\`);`)
  await db.run(sql`CREATE INDEX \`orders_payment_payment_expires_at_idx\` ON \`orders\` (\`payment_expires_at\`);`)
  await db.run(sql`CREATE INDEX \`orders_updated_at_idx\` ON \`orders\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`orders_created_at_idx\` ON \`orders\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_carts\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`customer_id\` integer NOT NULL,
  	\`items\` text DEFAULT '[]',
  	\`coupon_id\` integer,
  	\`revision\` numeric DEFAULT 0,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_carts\`("id", "customer_id", "items", "coupon_id", "revision", "updated_at", "created_at") SELECT "id", "customer_id", "items", "coupon_id", "revision", "updated_at", "created_at" FROM \`carts\`;`)
  await db.run(sql`DROP TABLE \`carts\`;`)
  await db.run(sql`ALTER TABLE \`__new_carts\` RENAME TO \`carts\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`carts_customer_idx\` ON \`carts\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`carts_coupon_idx\` ON \`carts\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`carts_updated_at_idx\` ON \`carts\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`carts_created_at_idx\` ON \`carts\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_coupon_usages\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`key\` text NOT NULL,
  	\`coupon_id\` integer NOT NULL,
  	\`customer_id\` integer NOT NULL,
  	\`count\` numeric DEFAULT 0 NOT NULL,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`coupon_id\`) REFERENCES \`coupons\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_coupon_usages\`("id", "key", "coupon_id", "customer_id", "count", "updated_at", "created_at") SELECT "id", "key", "coupon_id", "customer_id", "count", "updated_at", "created_at" FROM \`coupon_usages\`;`)
  await db.run(sql`DROP TABLE \`coupon_usages\`;`)
  await db.run(sql`ALTER TABLE \`__new_coupon_usages\` RENAME TO \`coupon_usages\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`coupon_usages_key_idx\` ON \`coupon_usages\` (\`key\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_coupon_idx\` ON \`coupon_usages\` (\`coupon_id\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_customer_idx\` ON \`coupon_usages\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_updated_at_idx\` ON \`coupon_usages\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`coupon_usages_created_at_idx\` ON \`coupon_usages\` (\`created_at\`);`)
  await db.run(sql`CREATE TABLE \`__new_idempotency_keys\` (
  	\`id\` integer PRIMARY KEY NOT NULL,
  	\`key\` text NOT NULL,
  	\`customer_id\` integer NOT NULL,
  	\`request_hash\` text NOT NULL,
  	\`state\` text DEFAULT 'processing' NOT NULL,
  	\`status\` numeric,
  	\`response\` text,
  	\`order_id\` integer,
  	\`updated_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	\`created_at\` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
  	FOREIGN KEY (\`customer_id\`) REFERENCES \`users\`(\`id\`) ON UPDATE no action ON DELETE set null,
  	FOREIGN KEY (\`order_id\`) REFERENCES \`orders\`(\`id\`) ON UPDATE no action ON DELETE set null
  );
  `)
  await db.run(sql`INSERT INTO \`__new_idempotency_keys\`("id", "key", "customer_id", "request_hash", "state", "status", "response", "order_id", "updated_at", "created_at") SELECT "id", "key", "customer_id", "request_hash", "state", "status", "response", "order_id", "updated_at", "created_at" FROM \`idempotency_keys\`;`)
  await db.run(sql`DROP TABLE \`idempotency_keys\`;`)
  await db.run(sql`ALTER TABLE \`__new_idempotency_keys\` RENAME TO \`idempotency_keys\`;`)
  await db.run(sql`CREATE UNIQUE INDEX \`idempotency_keys_key_idx\` ON \`idempotency_keys\` (\`key\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_customer_idx\` ON \`idempotency_keys\` (\`customer_id\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_order_idx\` ON \`idempotency_keys\` (\`order_id\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_updated_at_idx\` ON \`idempotency_keys\` (\`updated_at\`);`)
  await db.run(sql`CREATE INDEX \`idempotency_keys_created_at_idx\` ON \`idempotency_keys\` (\`created_at\`);`)
}
