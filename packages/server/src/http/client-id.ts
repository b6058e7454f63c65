/**
 * Who a client is, without knowing who they are: a salted SHA-256 of their address. The salt is
 * random per installation and kept in the database, so hashes are stable across restarts but cannot
 * be reversed by anyone who sees only the table. Raw addresses are never stored or logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';

export function newSalt(): string {
  return randomBytes(24).toString('base64url');
}

export function clientHash(salt: string, address: string | undefined): string {
  return createHash('sha256')
    .update(salt)
    .update('\0')
    .update(address ?? 'unknown')
    .digest('base64url')
    .slice(0, 22);
}

/** The address Express resolved (honouring TRUST_PROXY: behind a trusted proxy, X-Forwarded-For). */
export function clientAddress(req: Request): string | undefined {
  return req.ip ?? req.socket.remoteAddress;
}
