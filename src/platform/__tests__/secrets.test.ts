import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey, SecretBox } from '../secrets/secret-box.js';
import { createLogger } from '../telemetry/logger.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('secrets at rest', () => {
  it('generates the key once into the data dir with mode 0600 and reuses it', () => {
    const dir = tmp();
    const first = loadSecretKey({ dataDir: dir });
    expect(first.source).toContain('generated');
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const second = loadSecretKey({ dataDir: dir });
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('refuses a key file that other users can read', () => {
    const dir = tmp();
    loadSecretKey({ dataDir: dir });
    fs.chmodSync(path.join(dir, 'secret.key'), 0o644);
    expect(() => loadSecretKey({ dataDir: dir })).toThrow(/readable by other users/);
  });

  it('MAINSTAY_SECRET_KEY wins over the file and accepts base64 or a long passphrase', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadSecretKey({ secretKey: b64, dataDir: tmp() }).key.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(loadSecretKey({ secretKey: 'a passphrase that is long enough to use!', dataDir: tmp() }).key).toHaveLength(
      32,
    );
  });

  it('seals with AES-GCM: the ciphertext does not contain the plaintext and opens back', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('hunter2-database-password');
    expect(sealed).not.toContain('hunter2');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('hunter2-database-password');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('a wrong key fails clearly and a tampered value fails authentication', () => {
    const sealed = new SecretBox(Buffer.alloc(32, 1)).seal('x');
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow(/sealed with key/);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => new SecretBox(Buffer.alloc(32, 1)).open(parts.join(':'))).toThrow();
  });
});

describe('logs never print credentials', () => {
  it('redacts passwords, tokens and auth headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger('info', sink as unknown as NodeJS.WritableStream & { write: (s: string) => boolean });
    log.info(
      {
        body: { password: 'p4ss-word-123' },
        token: 'mst_abc',
        req: { headers: { authorization: 'Bearer mst_xyz', cookie: 'mainstay_session=s3cr3t' } },
      },
      'x',
    );
    const out = lines.join('');
    for (const secret of ['p4ss-word-123', 'mst_abc', 'mst_xyz', 's3cr3t']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
