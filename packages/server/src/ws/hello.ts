/**
 * The JSON part of the WebSocket protocol: HELLO's body (`docs/protocol.md`), as a zod schema that
 * matches the protocol's own `HelloInfo` type. The server checks the HELLO it builds from the model
 * description against it once, at start, so a malformed model description stops the server instead of
 * reaching every reader; clients in TypeScript may parse a received HELLO with it.
 */
import type { HelloInfo } from 'cnn-visualizer/protocol';
import { z } from 'zod';

export const helloSchema = z.object({
  protocol: z.number().int().positive(),
  model: z.object({
    name: z.string().min(1),
    version: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }),
  }),
  input: z.object({
    shape: z.array(z.number().int().positive()).min(1),
    normalization: z.object({
      scale: z.number(),
      mean: z.number(),
      std: z.number(),
      perChannel: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).optional(),
    }),
    ink: z.enum(['bright', 'dark']),
  }),
  layers: z
    .array(
      z.object({
        name: z.string().min(1),
        kind: z.string().min(1),
        shape: z.array(z.number().int().positive()).min(1),
      }),
    )
    .min(1),
  checkpoints: z.array(
    z.object({
      step: z.number().int().nonnegative(),
      epoch: z.number().nonnegative(),
      testAccuracy: z.number(),
    }),
  ),
  limits: z.object({
    maxInFlight: z.number().int().positive(),
    requestsPerSecond: z.number().positive(),
    maxFrameBytes: z.number().int().positive(),
  }),
}) satisfies z.ZodType<HelloInfo>;

/** The HELLO a server sends, checked: throws naming the first problem. */
export function checkedHello(hello: HelloInfo): HelloInfo {
  const r = helloSchema.safeParse(hello);
  if (!r.success)
    throw new Error(
      `the HELLO built from the model description is invalid: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`,
    );
  return r.data;
}
