import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';

const VERSION = 'v1';

/**
 * Encrypts secret fields at rest with AES-256-GCM. Sealed values look like
 * `v1:<iv>:<tag>:<ciphertext>` (base64url) and carry a key id so a wrong key
 * fails clearly instead of yielding garbage.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
    this.key = key;
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}:${this.keyId}`));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.keyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  open(sealed: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new Error('not a sealed secret');
    const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) {
      throw new Error(`secret was sealed with key ${keyId}, but the configured key is ${this.keyId}`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${VERSION}:${keyId}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /**
   * A 32-byte key for one purpose (signing action links, feed URLs…), derived from the secret key so
   * instances sharing the key agree, and a key leaked for one purpose says nothing about the others.
   */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`mainstay:${purpose}`).digest();
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}:`) && value.split(':').length === 5;
  }
}

/**
 * The key comes from MAINSTAY_SECRET_KEY (32 bytes as base64, or any string of
 * ≥ 32 characters, hashed to 32 bytes), or from `<dataDir>/secret.key`, which is
 * generated once with mode 0600. Instances sharing one PostgreSQL must share the key.
 */
export function loadSecretKey(opts: { secretKey?: string | undefined; dataDir: string }): {
  key: Buffer;
  source: string;
} {
  if (opts.secretKey) {
    const decoded = Buffer.from(opts.secretKey, 'base64');
    if (decoded.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(opts.secretKey))
      return { key: decoded, source: 'MAINSTAY_SECRET_KEY' };
    return { key: createHash('sha256').update(opts.secretKey).digest(), source: 'MAINSTAY_SECRET_KEY' };
  }
  const file = path.join(opts.dataDir, 'secret.key');
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new InputError(`${file} is readable by other users (mode ${mode.toString(8)})`, {
        code: 'insecure_secret_key',
        hint: `run: chmod 600 ${file}`,
      });
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new InputError(`${file} does not hold a 32-byte base64 key`, { code: 'invalid_secret_key' });
    return { key, source: file };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created it first; then read theirs.
  try {
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(opts);
    throw err;
  }
  return { key, source: `${file} (generated)` };
}
