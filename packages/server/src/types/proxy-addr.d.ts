// proxy-addr (Express's own dependency for req.ip) ships no types; the one call we use.
declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http';
  function proxyaddr(req: IncomingMessage, trust: (addr: string, i: number) => boolean): string;
  export default proxyaddr;
}
