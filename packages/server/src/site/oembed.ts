/**
 * GET /oembed?url=…&format=json — oEmbed 1.0 (https://oembed.com): for a URL of this site, a `rich`
 * answer whose HTML is an iframe of /embed, keeping only the embed parameters the page understands.
 * 404 for URLs that are not ours, 501 for formats other than JSON, 400 for bad parameters.
 */
import { validEmbedParams } from 'cnn-visualizer/embed-options';
import { Router } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors.ts';
import { escapeHtml } from './html.ts';
import { publicOrigin } from './public-origin.ts';

export const EMBED_SIZE = { width: 960, height: 720, minWidth: 320, minHeight: 480 };
const OURS = new Set(['/', '/embed', '/gallery']);

const dimension = (name: string) =>
  z
    .string({ error: `"${name}" must be a positive integer (pixels)` })
    .refine((v) => /^\d{1,5}$/.test(v) && Number(v) > 0, {
      error: `"${name}" must be a positive integer (pixels)`,
    })
    .transform(Number)
    .optional();

/** GET /oembed's query; `format` is checked first (501, not 400, for another format). */
export const oembedQuerySchema = z.object({
  url: z
    .string({ error: '"url" is required: the page to embed' })
    .min(1, { error: '"url" is required: the page to embed' })
    .max(2048, { error: '"url" is too long' })
    .refine((v) => URL.canParse(v), { error: '"url" is not a valid absolute URL' })
    .transform((v) => new URL(v)),
  maxwidth: dimension('maxwidth'),
  maxheight: dimension('maxheight'),
});

export function oembedRoutes(opts: { publicUrl?: string }): Router {
  const router = Router();
  router.get('/oembed', (req, res) => {
    const { format } = req.query;
    if (format !== undefined && format !== 'json') throw new HttpError(501, 'only format=json is supported');
    const q = oembedQuerySchema.safeParse(req.query);
    if (!q.success) throw new HttpError(400, q.error.issues[0].message);
    const { url: page, maxwidth: maxWidth, maxheight: maxHeight } = q.data;
    const url = page.href;
    const origin = publicOrigin(req, opts.publicUrl);
    const path = page.pathname.replace(/\/+$/, '') || '/';
    if (!origin || page.origin !== origin || !OURS.has(path))
      throw new HttpError(404, `no embed for ${url}: this provider embeds ${origin || 'its own'} pages only`);

    const params = new URLSearchParams(validEmbedParams(page.searchParams));
    const src = `${origin}/embed${params.size ? `?${params}` : ''}`;
    const width = Math.max(EMBED_SIZE.minWidth, Math.min(EMBED_SIZE.width, maxWidth ?? Infinity));
    const height = Math.max(EMBED_SIZE.minHeight, Math.min(EMBED_SIZE.height, maxHeight ?? Infinity));
    const title = 'Draw a digit and watch a convolutional network classify it';
    res
      .set('Access-Control-Allow-Origin', '*')
      .set('Cache-Control', 'public, max-age=86400')
      .json({
        version: '1.0',
        type: 'rich',
        provider_name: 'cnn-visualizer',
        provider_url: `${origin}/`,
        title,
        width,
        height,
        html: `<iframe src="${escapeHtml(src)}" width="${width}" height="${height}" style="border:0;max-width:100%" loading="lazy" allow="fullscreen" title="${escapeHtml(title)}"></iframe>`,
        cache_age: 86400,
      });
  });
  return router;
}
