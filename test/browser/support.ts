import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium; the browser tests need nothing downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
export const SKIP_REASON = `browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`;
export const SHOTS = path.resolve('test-results', 'screenshots');
export const WEB_INDEX = path.resolve('dist', 'web', 'index.html');

/** Checks the built web app exists, makes the screenshot folder and launches headless chromium. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: build the web app first (npm run build)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Skips a test without chromium on a workstation; under CI=true a missing chromium is a failure. */
export function skipWithoutChromium(ctx: { skip(note?: string): void }): boolean {
  if (HAS_CHROMIUM) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing: CI must run the browser tests`);
  ctx.skip(SKIP_REASON);
  return true;
}

/** JSON calls to the test server's API as its admin (the seeding every browser test does first). */
export function adminApi(server: { url: string; adminToken: string }) {
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returned
  return async (method: string, p: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

/** Fills the sign-in form the app shows on its first page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
