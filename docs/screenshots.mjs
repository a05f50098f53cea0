#!/usr/bin/env node
// Takes the screenshots in docs/screenshots/ from a running Mainstay that went through the README's
// tour (examples/ applied, an incident opened from a broken service). Debian's chromium, headless.
//
//   MAINSTAY_URL=http://127.0.0.1:8080 MAINSTAY_ADMIN_EMAIL=admin@mainstay.local \
//   MAINSTAY_ADMIN_PASSWORD=… node docs/screenshots.mjs [NAME…]
//
// NAMEs pick some of the shots below (default: all). `link` needs LINK_URL, a signed acknowledge or
// resolve link from a page (node examples/services.mjs pages prints them).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, 'screenshots');
const url = (process.env.MAINSTAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const email = process.env.MAINSTAY_ADMIN_EMAIL ?? 'admin@mainstay.local';
const password = process.env.MAINSTAY_ADMIN_PASSWORD;
const incident = process.env.INCIDENT ?? '1';

/** name → how to get there (a path, or a function of the page) */
const SHOTS = {
  login: { signedOut: true, path: '/' },
  overview: { path: '/' },
  checks: { path: '/checks' },
  check: {
    path: '/checks',
    open: async (page) => page.getByRole('link', { name: 'shop-api', exact: true }).first().click(),
  },
  alerts: { path: '/alerts?status=all' },
  routing: { path: '/alerts/routing' },
  incidents: { path: '/incidents?status=all' },
  incident: { path: `/incidents/${incident}` },
  postmortem: { path: `/incidents/${incident}?tab=postmortem`, open: writePostmortem },
  oncall: { path: '/oncall' },
  schedule: { path: '/oncall/schedules/shop-primary' },
  policy: { path: '/oncall/policies/shop-critical' },
  channels: { path: '/settings/channels' },
  // Signed links are mostly opened on a phone.
  link: { signedOut: true, path: process.env.LINK_URL ?? '', viewport: { width: 390, height: 640 } },
};

/** The tour's last step: create the postmortem from the template and write its root cause. */
async function writePostmortem(page) {
  const create = page.getByRole('button', { name: 'Create from template' });
  if (await create.isVisible()) {
    await create.click();
    await page.getByTestId('pm-root-cause').waitFor();
  }
  const rootCause = page.getByTestId('pm-root-cause');
  if ((await rootCause.inputValue()) === '') {
    await rootCause.fill(
      'The shop lost its database connection (here: `node examples/services.mjs break shop`); /health answered 503.',
    );
    await page.getByTestId('pm-save').click();
    await page.getByTestId('pm-saved').waitFor();
  }
}

const wanted = process.argv.slice(2);
for (const w of wanted) if (!(w in SHOTS)) fail(`no shot ${w}; there are ${Object.keys(SHOTS).join(', ')}`);
if (!password) fail('set MAINSTAY_ADMIN_PASSWORD (the admin login npm start printed)');

function fail(message) {
  console.error(`screenshots: ${message}`);
  process.exit(2);
}

fs.mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const viewport = { width: 1280, height: 1000 };
  const signedIn = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await signedIn.newPage();
  await page.goto(`${url}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').first().waitFor();

  for (const [name, shot] of Object.entries(SHOTS)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    if (name === 'link' && !shot.path) {
      console.log('skipped link: set LINK_URL to a signed link from a page');
      continue;
    }
    // Signed out: a page of its own (browser.newPage gives it a fresh context, closed with it).
    const p = shot.signedOut
      ? await browser.newPage({ viewport: shot.viewport ?? viewport, colorScheme: 'light' })
      : page;
    await p.goto(shot.path.startsWith('http') ? shot.path : `${url}${shot.path}`);
    await p.waitForLoadState('networkidle');
    if (shot.open) {
      await shot.open(p);
      await p.waitForLoadState('networkidle');
    }
    // Let charts and relative times settle.
    await p.waitForTimeout(500);
    const file = path.join(OUT, `${name}.png`);
    await p.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    if (p !== page) await p.close();
  }
} finally {
  await browser.close();
}
