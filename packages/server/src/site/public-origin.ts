/**
 * The origin pages and oEmbed answers link to: PUBLIC_URL when configured, else the request's own
 * (protocol and Host, or X-Forwarded-* when TRUST_PROXY says the proxy may set them). A Host that is not
 * a plain host[:port] is not echoed anywhere: links become relative instead.
 */
import type { Request } from 'express';

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function publicOrigin(req: Request, configured?: string): string {
  if (configured) return configured;
  const host = req.get('host') ?? '';
  return HOST.test(host) ? `${req.protocol}://${host.toLowerCase()}` : '';
}
