/** The gallery's SQL, in one place. Hidden drawings never leave this module. */
import type { Knex } from 'knex';

export interface DrawingRow {
  id: number;
  label: number;
  prediction: number;
  confidence: number;
  probabilities: number[];
  misclassified: boolean;
  modelVersion: string;
  createdAt: string;
}

export interface NewDrawing {
  pixels: Uint8Array;
  label: number;
  prediction: number;
  confidence: number;
  probabilities: ArrayLike<number>;
  modelVersion: string;
  clientHash: string;
}

const COLUMNS = [
  'id',
  'label',
  'prediction',
  'confidence',
  'probabilities',
  'misclassified',
  'model_version',
  'created_at',
];

function toRow(r: Record<string, unknown>): DrawingRow {
  return {
    id: Number(r.id),
    label: Number(r.label),
    prediction: Number(r.prediction),
    confidence: Number(r.confidence),
    probabilities: (r.probabilities as unknown[]).map(Number),
    misclassified: Boolean(r.misclassified),
    modelVersion: String(r.model_version),
    createdAt: new Date(r.created_at as string).toISOString(),
  };
}

export class GalleryRepository {
  constructor(private readonly db: Knex) {}

  private visible() {
    return this.db('gallery_drawings').where('hidden', false);
  }

  async insert(d: NewDrawing): Promise<number> {
    const [row] = await this.db('gallery_drawings')
      .insert({
        pixels: Buffer.from(d.pixels),
        label: d.label,
        prediction: d.prediction,
        confidence: d.confidence,
        probabilities: Array.from(d.probabilities, (p) => Math.round(p * 1e6) / 1e6),
        model_version: d.modelVersion,
        client_hash: d.clientHash,
      })
      .returning('id');
    return Number((row as { id: unknown }).id);
  }

  /** Newest first; `cursor` is the last id of the previous page (stable under concurrent inserts). */
  async list(q: { cursor?: number; limit: number; misclassified?: boolean; label?: number }) {
    let query = this.visible()
      .select(COLUMNS)
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    if (q.cursor !== undefined) query = query.where('id', '<', q.cursor);
    if (q.misclassified !== undefined) query = query.where('misclassified', q.misclassified);
    if (q.label !== undefined) query = query.where('label', q.label);
    const rows = (await query).map(toRow);
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }

  async get(id: number): Promise<DrawingRow | undefined> {
    const r = await this.visible().select(COLUMNS).where('id', id).first();
    return r ? toRow(r) : undefined;
  }

  async pixels(id: number): Promise<Uint8Array | undefined> {
    const r = await this.visible().select('pixels').where('id', id).first();
    return r ? new Uint8Array(r.pixels as Buffer) : undefined;
  }

  /**
   * A random visible drawing in O(log n): a random point between the smallest and largest id, then
   * the first visible id at or after it (wrapping around) through the primary key index.
   */
  async randomPixels(): Promise<{ id: number; pixels: Uint8Array } | undefined> {
    const bounds = await this.db('gallery_drawings').min('id as lo').max('id as hi').first();
    if (!bounds || bounds.lo === null) return undefined;
    const lo = Number(bounds.lo);
    const hi = Number(bounds.hi);
    const pick = lo + Math.floor(Math.random() * (hi - lo + 1));
    const r =
      (await this.visible().select('id', 'pixels').where('id', '>=', pick).orderBy('id').first()) ??
      (await this.visible().select('id', 'pixels').where('id', '<', pick).orderBy('id').first());
    return r ? { id: Number(r.id), pixels: new Uint8Array(r.pixels as Buffer) } : undefined;
  }

  /** Counts and the community confusion matrix (rows: the label meant, columns: the prediction). */
  async stats() {
    const rows = await this.visible()
      .select('label', 'prediction')
      .count<{ label: number; prediction: number; n: string | number }[]>('* as n')
      .groupBy('label', 'prediction');
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    let total = 0;
    let correct = 0;
    for (const r of rows) {
      const n = Number(r.n); // pg returns count as a string, PGlite as a number
      confusion[Number(r.label)][Number(r.prediction)] += n;
      total += n;
      if (Number(r.label) === Number(r.prediction)) correct += n;
    }
    const perLabel = confusion.map((row, label) => {
      const n = row.reduce((a, b) => a + b, 0);
      return { label, total: n, correct: row[label], accuracy: n ? row[label] / n : null };
    });
    return {
      total,
      correct,
      misclassified: total - correct,
      accuracy: total ? correct / total : null,
      perLabel,
      confusion,
    };
  }

  /**
   * Records `client`'s report of a visible drawing, once per client; the drawing is hidden when
   * `hideAt` different clients have reported it. Returns false if there is no such visible drawing.
   */
  async report(id: number, client: string, hideAt: number): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const found = await trx('gallery_drawings')
        .select('id')
        .where({ id, hidden: false })
        .forUpdate()
        .first();
      if (!found) return false;
      const inserted = await trx('gallery_reports')
        .insert({ drawing_id: id, client_hash: client })
        .onConflict(['drawing_id', 'client_hash'])
        .ignore()
        .returning('drawing_id');
      if (inserted.length)
        await trx('gallery_drawings')
          .where('id', id)
          .update({
            report_count: trx.raw('report_count + 1'),
            hidden: trx.raw('report_count + 1 >= ?', [hideAt]),
          });
      return true;
    });
  }

  async hide(id: number): Promise<boolean> {
    const n = await this.db('gallery_drawings').where('id', id).update({ hidden: true });
    return Number(n) > 0;
  }

  async setting(key: string, create: () => string): Promise<string> {
    await this.db('server_settings').insert({ key, value: create() }).onConflict('key').ignore();
    const r = await this.db('server_settings').select('value').where('key', key).first();
    return String(r!.value);
  }
}
