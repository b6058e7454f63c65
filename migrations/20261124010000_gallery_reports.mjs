// Reports, one per client and drawing: a single reader reporting the same drawing again and again
// counts once, so only several readers together can hide a drawing. Clients are salted hashes.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('gallery_reports', (t) => {
    t.bigInteger('drawing_id').notNullable().references('id').inTable('gallery_drawings').onDelete('CASCADE');
    t.text('client_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['drawing_id', 'client_hash']);
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTable('gallery_reports');
}
