// The built playground (playground/dist) in headless Chromium: it trains the documents' XOR network on both
// losses, converges, and shows the deltas the documents derive. Run with `npm run test:browser`, which builds
// the page first. The browser is the system Chromium (`apt-get install -y chromium`); nothing is downloaded.
// Two builds: the served site (index.html and assets/, over HTTP) and the single file dist/playground.html,
// opened from disk through a file:// URL as a user double-clicking it would.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'playground', 'dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOT = join(root, 'test-results', 'playground.png');
const SINGLE = join(dist, 'playground.html'); // the single-file page (vite build --mode single)
const SINGLE_SHOT = join(root, 'test-results', 'playground-file.png');

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm',
};

/** A static file server for playground/dist on a free port. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dist, path.endsWith('/') ? join(path, 'index.html') : path);
    if (!file.startsWith(dist) || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** examples/xor.ts (the CLI), run as a user runs it; resolves with its standard output. */
function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/xor.ts', ...args], { cwd: root, timeout: 60_000 });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`xor.ts ${args.join(' ')} exited with ${code}`))));
  });
}

/** The CLI's initial weights, printed as `  0.weight = [[…]]` (syn0) and `  2.weight = [[…]]` (syn1). */
async function cliWeights(seed: number): Promise<{ syn0: number[][]; syn1: number[][] }> {
  const out = await cli('--numpy-seed', String(seed), '--steps', '0');
  const w = (name: string): number[][] => JSON.parse(new RegExp(`^ {2}${name} = (\\[.*\\])$`, 'm').exec(out)![1]);
  return { syn0: w('0\\.weight'), syn1: w('2\\.weight') };
}

/** Steps until every prediction is within 0.1, as the CLI reports them for each loss from --numpy-seed 1. */
async function cliConverged(lr: number): Promise<Record<'mse' | 'bce', string>> {
  const out = await cli('--numpy-seed', '1', '--compare', '--steps', '2000', '--lr', String(lr));
  const steps = (loss: string): string => new RegExp(`^ {2}${loss}: (\\d+) steps to get every prediction within 0\\.1`, 'm').exec(out)![1];
  return { mse: steps('mse'), bce: steps('bce') };
}

const numbers = async (el: Locator, attr: string): Promise<number[]> => JSON.parse((await el.getAttribute(attr))!);
const card = (page: Page, loss: 'mse' | 'bce'): Locator => page.locator(`.loss-card[data-loss="${loss}"]`);
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];

/** Run until both losses have every prediction within 0.1, then pause. */
async function trainUntilConverged(page: Page): Promise<void> {
  await page.click('#run');
  for (const loss of ['mse', 'bce'] as const) {
    await expect.poll(() => card(page, loss).getAttribute('data-converged'), { timeout: 60_000 }).not.toBe('');
  }
  await page.click('#run');
}

let server: Server, context: BrowserContext, page: Page, profile: string;
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no built page at ${dist}: run npm run playground:build (npm run test:browser does)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with apt-get install -y chromium (as root)`);
  server = await serve();
  profile = mkdtempSync(join(tmpdir(), 'playground-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForSelector('#app[data-ready="true"][data-graph="ready"]', { timeout: 20_000 }).catch((e: Error) => {
    throw new Error(`the page did not get ready: ${e.message}\n${errors.join('\n')}`);
  });
});

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe.sequential('playground in Chromium', () => {
  it('starts from the weights of the CLI run with --numpy-seed 1', async () => {
    expect(JSON.parse((await page.locator('#app').getAttribute('data-initial-weights'))!)).toEqual(await cliWeights(1));
  });

  it('Step makes one update on both losses and redraws the graph', async () => {
    const graph = page.locator('#graph svg');
    expect(await graph.locator('g.node').count()).toBeGreaterThanOrEqual(10);
    const before = await graph.innerHTML();
    await page.click('#step');
    for (const loss of ['mse', 'bce'] as const) await expect.poll(() => card(page, loss).getAttribute('data-steps')).toBe('1');
    await expect.poll(() => page.locator('#graph svg').innerHTML()).not.toBe(before);
  });

  it('trains until every prediction of both losses is within 0.1, in the steps the CLI reports', async () => {
    await page.selectOption('#speed', '200');
    await trainUntilConverged(page);
    const reported = await cliConverged(1);
    for (const loss of ['mse', 'bce'] as const) {
      expect(await card(page, loss).getAttribute('data-converged')).toBe(reported[loss]);
      const a = await numbers(card(page, loss), 'data-a'), y = await numbers(card(page, loss), 'data-y');
      expect(y).toEqual([0, 1, 1, 0]);
      a.forEach((v, i) => expect(Math.abs(v - y[i]), `${loss} prediction for ${X[i]}`).toBeLessThan(0.1));
    }
    // Squared error takes longer from the same start (F12): its gradient carries the extra factor a(1 − a) < 1.
    expect(Number(await card(page, 'mse').getAttribute('data-converged')))
      .toBeGreaterThan(Number(await card(page, 'bce').getAttribute('data-converged')));
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
  });

  it('shows δ(L) from autograd equal to each loss\'s hand formula, to 1e-12', async () => {
    // The documents' formulas, written out here: F8 for squared error, F7 for log loss.
    const hand = { mse: (a: number, y: number) => (a - y) * a * (1 - a), bce: (a: number, y: number) => a - y };
    for (const loss of ['mse', 'bce'] as const) {
      const c = card(page, loss);
      const a = await numbers(c, 'data-a'), y = await numbers(c, 'data-y'), delta = await numbers(c, 'data-delta');
      delta.forEach((d, i) => expect(Math.abs(d - hand[loss](a[i], y[i])), `${loss} δ(L) row ${i}`).toBeLessThanOrEqual(1e-12));
      // The table shows the same numbers, rounded (6 decimals, or 3 significant digits below 1e-3).
      const shown = await c.locator('td.d-auto').allTextContents();
      shown.forEach((text, i) => expect(Math.abs(Number(text.replace(/−/g, '-')) - delta[i])).toBeLessThanOrEqual(5e-7 + 5e-3 * Math.abs(delta[i])));
      // F9: δ(2) = δ(3)·syn1ᵀ .* a(2)(1 − a(2)), example by example.
      const a2 = await numbers(c, 'data-a2'), syn1 = await numbers(c, 'data-syn1'), hidden = await numbers(c, 'data-hidden-delta');
      expect(hidden).toHaveLength(16);
      hidden.forEach((d, k) => {
        const i = Math.floor(k / 4), j = k % 4;
        expect(Math.abs(d - hand[loss](a[i], y[i]) * syn1[j] * a2[k] * (1 - a2[k])), `${loss} δ(2)[${i}][${j}]`).toBeLessThanOrEqual(1e-12);
      });
    }
    // The two losses give different deltas for the same network: the documents' confusion.
    expect(await numbers(card(page, 'mse'), 'data-delta')).not.toEqual(await numbers(card(page, 'bce'), 'data-delta'));
  });

  it('draws the step graph with op, shape, value and gradient, and both loss curves', async () => {
    const text = await page.locator('#graph svg').textContent();
    for (const s of ['matmul', 'sigmoid', 'squaredError', 'z(3) = z(L)', '[4, 1]', 'value', 'grad']) expect(text).toContain(s);
    await page.click('[data-graph="bce"]');
    await expect.poll(() => page.locator('#graph svg').textContent()).toContain('binaryCrossEntropy');
    for (const loss of ['mse', 'bce'] as const) {
      const points = (await card(page, loss).locator('svg.curve polyline').getAttribute('points'))!.trim().split(/\s+/);
      expect(points.length).toBeGreaterThan(100);
      expect(await card(page, loss).locator('svg.curve line.marker').count()).toBe(1);
    }
  });

  it('convexity panel: squared error bends downward somewhere, log loss nowhere', async () => {
    const bends = async (loss: string) => Number(await page.locator(`[data-surface="${loss}"]`).getAttribute('data-bends-down'));
    expect(await bends('mse')).toBeGreaterThan(0);
    expect(await bends('bce')).toBe(0);
    for (const loss of ['mse', 'bce']) expect(await page.locator(`[data-surface="${loss}"] canvas`).evaluate((c) => (c as unknown as { width: number }).width)).toBeGreaterThan(100);
  });

  it('refuses a learning rate of 0 with a message on the field, and keeps stepping', async () => {
    const steps = Number(await card(page, 'mse').getAttribute('data-steps'));
    await page.fill('#lr', '0');
    await page.locator('#lr').dispatchEvent('change');
    expect(await page.locator('#lr').evaluate((e) => (e as unknown as { validationMessage: string }).validationMessage)).not.toBe('');
    await page.click('#step');
    await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe(String(steps + 1));
  });

  it('a new learning rate, after Reset, trains as the CLI does with --lr', async () => {
    await page.fill('#lr', '2');
    await page.locator('#lr').dispatchEvent('change');
    await page.click('#reset');
    await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('0');
    await trainUntilConverged(page);
    const reported = await cliConverged(2);
    for (const loss of ['mse', 'bce'] as const) expect(await card(page, loss).getAttribute('data-converged')).toBe(reported[loss]);
  });

  it('a new seed restarts from the CLI\'s weights for that seed', async () => {
    await page.fill('#seed', '7');
    await page.locator('#seed').dispatchEvent('change');
    await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('0');
    expect(JSON.parse((await page.locator('#app').getAttribute('data-initial-weights'))!)).toEqual(await cliWeights(7));
  });

  it('raised no page or console errors', () => {
    expect(errors).toEqual([]);
  });
});

describe.sequential('the single-file playground, opened from disk (file://)', () => {
  const url = pathToFileURL(SINGLE).href;
  const fileErrors: string[] = [], requests: string[] = [];
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(SINGLE)) throw new Error(`no single-file page at ${SINGLE}: run npm run playground:build (npm run test:browser does)`);
    page = await context.newPage();
    page.on('pageerror', (e) => fileErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') fileErrors.push(`console error: ${m.text()}`); });
    page.on('requestfailed', (r) => fileErrors.push(`failed: ${r.url().slice(0, 200)} (${r.failure()?.errorText})`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('#app[data-ready="true"][data-graph="ready"]', { timeout: 20_000 }).catch((e: Error) => {
      throw new Error(`the page opened from disk did not get ready: ${e.message}\n${fileErrors.join('\n')}`);
    });
  });

  afterAll(() => page?.close());

  it('is one file: no script, style or other resource of its own besides data: URLs', () => {
    const html = readFileSync(SINGLE, 'utf8');
    const refs = [...html.matchAll(/<(?:script|link|img|iframe|source)\b[^>]*?\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => !r!.startsWith('data:'))).toEqual([]);
    expect(html).toMatch(/<script type="module"[^>]*>[^<]/); // the script inline
    expect(html).toMatch(/<style\b[^>]*>[^<]/); // the style inline
    expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([]);
  });

  it('is styled: the inlined stylesheet applies', async () => {
    expect(await page.locator('.controls').evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(e).display)).toBe('flex');
  });

  it('draws the step graph with Graphviz (inlined with its WebAssembly)', async () => {
    const graph = page.locator('#graph svg');
    expect(await graph.locator('g.node').count()).toBeGreaterThanOrEqual(10);
    const text = await graph.textContent();
    for (const s of ['matmul', 'sigmoid', 'squaredError', 'z(3) = z(L)', 'value', 'grad']) expect(text).toContain(s);
    const before = await graph.innerHTML();
    await page.click('#step');
    for (const loss of ['mse', 'bce'] as const) await expect.poll(() => card(page, loss).getAttribute('data-steps')).toBe('1');
    await expect.poll(() => page.locator('#graph svg').innerHTML()).not.toBe(before);
  });

  it('trains until converged in the steps the CLI reports, and shows δ(L) equal to the hand formulas', async () => {
    await page.click('#reset');
    await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('0');
    await page.selectOption('#speed', '200');
    await trainUntilConverged(page);
    const reported = await cliConverged(1);
    const hand = { mse: (a: number, y: number) => (a - y) * a * (1 - a), bce: (a: number, y: number) => a - y };
    for (const loss of ['mse', 'bce'] as const) {
      const c = card(page, loss);
      expect(await c.getAttribute('data-converged')).toBe(reported[loss]);
      const a = await numbers(c, 'data-a'), y = await numbers(c, 'data-y'), delta = await numbers(c, 'data-delta');
      delta.forEach((d, i) => expect(Math.abs(d - hand[loss](a[i], y[i])), `${loss} δ(L) row ${i}`).toBeLessThanOrEqual(1e-12));
      const shown = await c.locator('td.d-auto').allTextContents();
      expect(shown).toHaveLength(4);
      shown.forEach((text, i) => expect(Math.abs(Number(text.replace(/−/g, '-')) - delta[i])).toBeLessThanOrEqual(5e-7 + 5e-3 * Math.abs(delta[i])));
      expect(await numbers(c, 'data-hidden-delta')).toHaveLength(16);
    }
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: SINGLE_SHOT, fullPage: true });
  });

  it('raised no page or console errors and loaded nothing from elsewhere', () => {
    expect(fileErrors).toEqual([]);
    expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([]);
  });
});
