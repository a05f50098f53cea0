import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: one call per id (randomBytes(16)) was
// 4 % of a busy server's CPU. Secrets do not come from here.
const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;

/** 16 fresh random bytes (a new buffer the caller may change). */
function idBytes(): Buffer {
  if (poolAt + 16 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const out = Buffer.allocUnsafe(16);
  POOL.copy(out, 0, poolAt, poolAt + 16);
  poolAt += 16;
  return out;
}

/** The first 6 bytes: milliseconds since the epoch, big-endian (48 bits). */
function stamp(bytes: Buffer, ms: number): void {
  bytes.writeUIntBE(Math.max(0, Math.min(ms, 2 ** 48 - 1)), 0, 6);
}

/**
 * Time-ordered identifiers (UUIDv7 layout, RFC 9562 §5.7): sortable by creation
 * time, so an index on `id` is also an index on insertion order.
 */
export function newId(nowMs: number = Date.now()): string {
  const bytes = idBytes();
  stamp(bytes, Math.floor(nowMs));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A URL-safe random secret of `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

let lastMs = 0;
let counter = 0;

/**
 * Like `newId`, but strictly increasing within this process even for ids made in the same
 * millisecond (RFC 9562 §6.2 method 1: a 12-bit counter in rand_a), for rows whose order is their
 * meaning, such as timeline entries written one after another in one transaction.
 */
export function monotonicId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const bytes = idBytes();
  stamp(bytes, Math.floor(lastMs));
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
