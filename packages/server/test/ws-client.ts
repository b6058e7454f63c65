/** A test's WebSocket client of `WS /ws`: it collects the decoded server messages and waits on them. */
import { decodeServerFrame, type ServerMessage } from 'cnn-visualizer/protocol';
import { WebSocket } from 'ws';

export interface WsClient {
  ws: WebSocket;
  /** every message received so far, decoded, in order (HELLO first) */
  messages: ServerMessage[];
  /** waits until `pred` holds for the messages (up to `ms`), failing with what arrived */
  until(pred: (m: ServerMessage[]) => boolean, ms?: number): Promise<void>;
}

export async function client(url: string): Promise<WsClient> {
  const ws = new WebSocket(url);
  const messages: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(decodeServerFrame(data as Buffer));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const until = async (pred: (m: ServerMessage[]) => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!pred(messages)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; got ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { ws, messages, until };
}

/** The answer (RESULT or ERROR) to request `id`, once it came. */
export async function answer(c: WsClient, id: number, ms?: number): Promise<ServerMessage> {
  const find = (m: ServerMessage[]) => m.find((x) => x.type !== 'hello' && x.id === id);
  await c.until((m) => find(m) !== undefined, ms);
  return find(c.messages)!;
}
