// The shared gallery: drawings readers submitted, with the label they meant and what the server's
// model predicted. Pixels are the 784 preprocessed bytes (28×28, 255 = ink). The client is only
// ever stored as a salted hash, never as an address.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('gallery_drawings', (t) => {
    t.bigIncrements('id');
    t.binary('pixels').notNullable();
    t.smallint('label').notNullable();
    t.smallint('prediction').notNullable();
    t.float('confidence').notNullable();
    t.specificType('probabilities', 'real[]').notNullable();
    t.text('model_version').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('hidden').notNullable().defaultTo(false);
    t.integer('report_count').notNullable().defaultTo(0);
    t.text('client_hash').notNullable();
  });
  await knex.raw(`
    ALTER TABLE gallery_drawings
      ADD COLUMN misclassified boolean GENERATED ALWAYS AS (label <> prediction) STORED,
      ADD CONSTRAINT gallery_pixels_784 CHECK (octet_length(pixels) = 784),
      ADD CONSTRAINT gallery_label_digit CHECK (label BETWEEN 0 AND 9),
      ADD CONSTRAINT gallery_prediction_digit CHECK (prediction BETWEEN 0 AND 9),
      ADD CONSTRAINT gallery_probabilities_10 CHECK (array_length(probabilities, 1) = 10)`);
  // newest first (and cursor pages), the misclassified filter, the label filter; the random pick
  // walks the primary key (id >= random id), which is O(log n)
  await knex.raw('CREATE INDEX gallery_visible_newest ON gallery_drawings (id DESC) WHERE NOT hidden');
  await knex.raw(
    'CREATE INDEX gallery_misclassified_newest ON gallery_drawings (id DESC) WHERE misclassified AND NOT hidden',
  );
  await knex.raw('CREATE INDEX gallery_label_newest ON gallery_drawings (label, id DESC) WHERE NOT hidden');
  await knex.schema.createTable('server_settings', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('server_settings');
  await knex.schema.dropTable('gallery_drawings');
}
