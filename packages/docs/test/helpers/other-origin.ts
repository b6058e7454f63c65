/** A page served from another origin (its own port), as a teacher's site or a blog would be. */
import { createServer } from 'node:http';

export async function serveOtherOrigin(html: string): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?'))
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
