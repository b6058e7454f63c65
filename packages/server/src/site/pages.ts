/**
 * The demo site (built by packages/docs into dist/site) and Storybook (dist/docs, at /docs/).
 * Pages are served at clean URLs (/, /gallery, /embed) with their origin-dependent links (canonical,
 * oEmbed discovery, Open Graph) filled in; every other file is static.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { HttpError } from '../http/errors.ts';
import { escapeHtml } from './html.ts';
import { publicOrigin } from './public-origin.ts';

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/gallery': 'gallery.html',
  '/embed': 'embed.html',
};

/** Storybook's pages run inline bootstrap scripts; they get their own, wider policy. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-ancestors 'self'",
].join('; ');

export function siteRoutes(opts: { siteDir: string; docsDir: string; publicUrl?: string }): Router {
  const router = Router();
  const notBuilt = (what: string) =>
    new HttpError(404, `the ${what} is not built yet: run npm run build (npm start does it for you)`);

  for (const [path, file] of Object.entries(PAGES)) {
    router.get(path, async (req, res) => {
      let text: string;
      try {
        text = await readFile(join(opts.siteDir, file), 'utf8');
      } catch {
        throw notBuilt('demo site');
      }
      const origin = publicOrigin(req, opts.publicUrl);
      const query = path === '/embed' ? new URL(req.originalUrl, 'http://x').search : '';
      const pageUrl = `${origin}${path}${query}`;
      const html = text
        .replaceAll('{{origin}}', escapeHtml(origin))
        .replaceAll('{{pageUrlEncoded}}', escapeHtml(encodeURIComponent(pageUrl)))
        .replaceAll('{{pageUrl}}', escapeHtml(pageUrl));
      res.type('html').set('Cache-Control', 'no-cache').send(html);
    });
  }
  // the raw templates are never served: their clean URLs are
  router.get(/^\/(index|gallery|embed)\.html$/, (req, res) => {
    const name = req.path.slice(1, -'.html'.length);
    res.redirect(301, name === 'index' ? '/' : `/${name}`);
  });

  // browsers ask for /favicon.ico on pages without an icon link (Storybook's iframes, the API)
  router.get('/favicon.ico', (_req, res) => res.redirect(301, '/favicon.svg'));

  router.use('/docs', (req, res, next) => {
    if (!existsSync(opts.docsDir)) return next(notBuilt('Storybook documentation'));
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    next();
  });
  router.use('/docs', express.static(opts.docsDir, { fallthrough: false, redirect: true }));
  router.use(
    express.static(opts.siteDir, {
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=300'),
    }),
  );
  return router;
}
