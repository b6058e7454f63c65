/** Structured JSON logs (pino). Never log a client's raw address: use its salted hash. */
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'cnn-visualizer' } });
}
