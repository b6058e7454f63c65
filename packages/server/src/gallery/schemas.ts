/**
 * The gallery API's shapes, defined once (zod): what a request may carry — every rule a reader or a
 * script can break, with a message naming it — and what each answer holds. The routes parse with these;
 * the site's API client (`packages/docs/site/src/api.ts`) imports the types instead of redefining them.
 */
import { z } from 'zod';

export const PIXELS_28 = 28 * 28;

export class ValidationError extends Error {
  override name = 'ValidationError';
}

/** Parses `input` with `schema`; the first problem becomes a ValidationError with its message. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationError(r.error.issues[0]?.message ?? 'invalid request');
}

// ── requests ──

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const pixelsBase64 = z
  .string()
  .refine((s) => BASE64.test(s) && s.length % 4 === 0, {
    error: `"pixels" as a string must be base64 of ${PIXELS_28} bytes`,
    abort: true,
  })
  .transform((s) => new Uint8Array(Buffer.from(s, 'base64')))
  .refine((b) => b.length === PIXELS_28, {
    error: (iss) =>
      `"pixels" must decode to ${PIXELS_28} bytes (28×28), got ${(iss.input as Uint8Array).length}`,
  });

const pixelsArray = z
  .array(z.unknown(), {
    error: `"pixels" must be an array of ${PIXELS_28} numbers 0–255, or base64 of ${PIXELS_28} bytes`,
  })
  .refine((a) => a.length === PIXELS_28, {
    error: (iss) => `"pixels" must have ${PIXELS_28} values (28×28), got ${(iss.input as unknown[]).length}`,
    abort: true,
  })
  .transform((a, ctx) => {
    const out = new Uint8Array(PIXELS_28);
    for (let i = 0; i < PIXELS_28; i++) {
      const v = a[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        ctx.issues.push({
          code: 'custom',
          input: v,
          message: `"pixels[${i}]" must be an integer from 0 to 255`,
        });
        return z.NEVER;
      }
      out[i] = v;
    }
    return out;
  });

/** POST /api/gallery: the drawing and the digit the reader meant. */
export const submissionSchema = z.object(
  {
    // checked first: a wrong label is the likelier mistake, and its message the more useful one
    label: z
      .number({ error: '"label" must be an integer from 0 to 9: the digit you meant to draw' })
      .int({ error: '"label" must be an integer from 0 to 9: the digit you meant to draw' })
      .min(0, { error: '"label" must be an integer from 0 to 9: the digit you meant to draw' })
      .max(9, { error: '"label" must be an integer from 0 to 9: the digit you meant to draw' }),
    pixels: z.unknown().transform((v, ctx) => {
      // a string is base64, anything else must be the array: one clear message for each
      const r = (typeof v === 'string' ? pixelsBase64 : pixelsArray).safeParse(v);
      if (!r.success) {
        ctx.issues.push({ code: 'custom', input: v, message: r.error.issues[0].message });
        return z.NEVER;
      }
      if (r.data.every((b) => b === 0)) {
        ctx.issues.push({ code: 'custom', input: v, message: 'the drawing is empty' });
        return z.NEVER;
      }
      return r.data;
    }),
  },
  { error: 'the body must be a JSON object {"pixels": …, "label": 0–9}' },
);
export type SubmissionInput = z.input<typeof submissionSchema>;
export type Submission = z.output<typeof submissionSchema>;

/** A query parameter given once, as a string of digits within [min, max]. */
const intParam = (name: string, min: number, max: number) =>
  z
    .string({ error: `"${name}" must be given once` })
    .refine((v) => /^\d{1,18}$/.test(v) && Number(v) >= min && Number(v) <= max, {
      error: `"${name}" must be an integer from ${min} to ${max}`,
    })
    .transform(Number)
    .optional();

/** GET /api/gallery: newest first; `cursor` is the previous page's `nextCursor`. */
export const listQuerySchema = z.object({
  cursor: intParam('cursor', 1, Number.MAX_SAFE_INTEGER),
  limit: intParam('limit', 1, 100).transform((v) => v ?? 24),
  misclassified: z
    .string({ error: '"misclassified" must be given once' })
    .refine((v) => v === 'true' || v === 'false', { error: '"misclassified" must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  label: intParam('label', 0, 9),
});
export type ListQuery = z.input<typeof listQuerySchema>;

/** A drawing's id in a path. */
export const idSchema = z
  .string()
  .refine((v) => /^\d{1,15}$/.test(v) && Number(v) >= 1, {
    error: 'the drawing id must be a positive integer',
  })
  .transform(Number);

/** `?size=` of a PNG: 28–560 pixels, 280 by default. */
export const pngSizeSchema = z
  .string({ error: '"size" must be an integer from 28 to 560 (pixels)' })
  .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 28 && Number(v) <= 560, {
    error: '"size" must be an integer from 28 to 560 (pixels)',
  })
  .transform(Number)
  .optional()
  .transform((v) => v ?? 280);

// ── answers ──

/** A drawing as lists show it. */
export const drawingSchema = z.object({
  id: z.number().int(),
  /** the digit the reader meant */
  label: z.number().int(),
  /** what the server's model predicted */
  prediction: z.number().int(),
  confidence: z.number(),
  probabilities: z.array(z.number()),
  misclassified: z.boolean(),
  modelVersion: z.string(),
  createdAt: z.string(),
  /** the drawing as PNG; add `?size=` */
  imageUrl: z.string(),
});
export type Drawing = z.infer<typeof drawingSchema>;

/** GET /api/gallery/:id: a drawing with its pixels (base64 of 784 bytes). */
export const drawingDetailSchema = drawingSchema.extend({ pixels: z.string() });
export type DrawingDetail = z.infer<typeof drawingDetailSchema>;

/** GET /api/gallery */
export const pageSchema = z.object({
  items: z.array(drawingSchema),
  /** pass as `cursor` for the next page; null on the last one */
  nextCursor: z.number().int().nullable(),
});
export type Page = z.infer<typeof pageSchema>;

/** POST /api/gallery → 201 */
export const verdictSchema = z.object({
  id: z.number().int(),
  prediction: z.number().int(),
  confidence: z.number(),
  misclassified: z.boolean(),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** GET /api/stats */
export const statsSchema = z.object({
  total: z.number().int(),
  correct: z.number().int(),
  misclassified: z.number().int(),
  accuracy: z.number().nullable(),
  perLabel: z.array(
    z.object({
      label: z.number().int(),
      total: z.number().int(),
      correct: z.number().int(),
      accuracy: z.number().nullable(),
    }),
  ),
  /** rows: the digit meant; columns: the network's prediction */
  confusion: z.array(z.array(z.number().int())),
});
export type Stats = z.infer<typeof statsSchema>;

/** POST /api/gallery/:id/report → 202 */
export const reportedSchema = z.object({ reported: z.literal(true) });
export type Reported = z.infer<typeof reportedSchema>;

/** Every error: a 4xx/5xx with a message for a human. */
export const errorSchema = z.object({ error: z.string() });
export type ApiErrorBody = z.infer<typeof errorSchema>;
