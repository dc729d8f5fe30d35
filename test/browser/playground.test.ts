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
const WALK_SHOT = join(root, 'test-results', 'playground-walk.png'); // the same, stepping through backward

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

/** The graph as drawn: each box's id (its <title>, toDot's id), text and classes, and each edge [input, output]. */
interface Drawn { nodes: { id: string; text: string; cls: string }[]; edges: [string, string][] }
interface El { querySelectorAll(sel: string): ArrayLike<El>; querySelector(sel: string): El | null; textContent: string | null; getAttribute(name: string): string | null }
const drawn = (page: Page): Promise<Drawn> => page.locator('#graph svg').evaluate((svg) => {
  const all = (e: El, sel: string): El[] => Array.from(e.querySelectorAll(sel));
  const root = svg as unknown as El;
  return {
    nodes: all(root, 'g.node').map((g) => ({ id: g.querySelector('title')!.textContent!, text: g.textContent ?? '', cls: g.getAttribute('class') ?? '' })),
    edges: all(root, 'g.edge title').map((t) => t.textContent!.split('->') as [string, string]),
  };
});

const walk = (page: Page): Locator => page.locator('#walk');
const attr = async (el: Locator, name: string): Promise<string> => (await el.getAttribute(name))!;
/** The page's weights, both losses, as the hex of their bits. */
const weightBits = async (page: Page): Promise<string> => attr(page.locator('#app'), 'data-weight-bits');
/** The documents' hand formulas for δ(L): F8 for squared error, F7 for log loss. */
const HAND = { mse: (a: number, y: number) => (a - y) * a * (1 - a), bce: (a: number, y: number) => a - y };

/** Show the graph of `loss` and start stepping through its backward pass. */
async function startWalk(page: Page, loss: 'mse' | 'bce'): Promise<void> {
  await page.click(`[data-graph="${loss}"]`);
  await page.click('#walk-start');
  await expect.poll(() => walk(page).isVisible()).toBe(true);
  expect(await walk(page).getAttribute('data-loss')).toBe(loss);
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

  it('steps through backward one node at a time, consumers before inputs, each lit in the graph with its rule', async () => {
    // The ops of each network's backward pass in the engine's order (reverse topological, inputs in order), and
    // a piece of the formula shown at each.
    const ops = {
      mse: ['mul', 'sum', 'squaredError', 'sigmoid', 'matmul', 'leaf', 'sigmoid', 'matmul', 'leaf'],
      bce: ['sum', 'binaryCrossEntropy', 'sigmoid', 'matmul', 'leaf', 'sigmoid', 'matmul', 'leaf'],
    };
    const formula: Record<string, string[]> = {
      mul: ['∂x = g · ½'], sum: ['∂xᵢ = g'], squaredError: ['∂p = g · 2(p − y)'], binaryCrossEntropy: ['∂p = g · (p − y) / (p(1 − p))'],
      sigmoid: ['∂x = g · y(1 − y)'], matmul: ['∂A = G·Bᵀ', '∂B = Aᵀ·G'], leaf: ['.grad', '− lr·g'],
    };
    for (const loss of ['mse', 'bce'] as const) {
      await startWalk(page, loss);
      const graph = await drawn(page);
      const needGrad = graph.nodes.filter((n) => !/\bconstant\b/.test(n.text)).map((n) => n.id);
      const count = Number(await attr(walk(page), 'data-count'));
      expect(count).toBe(ops[loss].length);
      expect(count).toBe(needGrad.length); // every box that requires grad, the weights included; no constant
      expect(await attr(walk(page), 'data-order-check')).toBe('ok'); // the profiler saw the engine run the rules in this order
      const visited: string[] = [], seenOps: string[] = [];
      for (let k = 0; k < count; k++) {
        expect(await attr(walk(page), 'data-index')).toBe(String(k));
        const id = await attr(walk(page), 'data-node'), op = await attr(walk(page), 'data-op');
        visited.push(id);
        seenOps.push(op);
        // The node is lit in the graph, alone, and in the list of the walk.
        const lit = (await drawn(page)).nodes.filter((n) => /\bcurrent\b/.test(n.cls)).map((n) => n.id);
        expect(lit, `${loss} step ${k}`).toEqual([id]);
        expect(await page.locator('.walk-order li.current').getAttribute('data-node')).toBe(id);
        const text = (await walk(page).locator('.walk-node').textContent())!;
        for (const f of formula[op]) expect(text, `${loss} ${op}`).toContain(f);
        // The loss is seeded with 1; a weight sends nothing on.
        if (k === 0) expect(JSON.parse(await attr(walk(page), 'data-g'))).toEqual([1]);
        if (op === 'leaf') expect(JSON.parse(await attr(walk(page), 'data-sends'))).toEqual([]);
        expect(await page.locator('#walk-step').isDisabled()).toBe(k === count - 1);
        expect(await page.locator('#walk-apply').isDisabled()).toBe(k !== count - 1);
        if (k < count - 1) await page.click('#walk-step');
      }
      expect(seenOps).toEqual(ops[loss]);
      expect([...visited].sort()).toEqual([...needGrad].sort()); // each once
      for (const [input, output] of graph.edges) {
        if (visited.includes(input)) expect(visited.indexOf(output), `${output} before its input ${input}`).toBeLessThan(visited.indexOf(input));
      }
      // Back goes back one node.
      await page.click('#walk-back');
      expect(await attr(walk(page), 'data-node')).toBe(visited[count - 2]);
      await page.click('#walk-cancel');
      await expect.poll(() => walk(page).isVisible()).toBe(false);
    }
  });

  it('points out the documents\' δ(L) where it appears, equal to the hand formula to 1e-12 under both losses', async () => {
    for (const loss of ['mse', 'bce'] as const) {
      const a = await numbers(card(page, loss), 'data-a'), y = await numbers(card(page, loss), 'data-y');
      const hand = a.map((v, i) => HAND[loss](v, y[i]));
      await startWalk(page, loss);
      const z3 = (await drawn(page)).nodes.find((n) => n.text.includes('z(3) = z(L)'))!.id;
      const count = Number(await attr(walk(page), 'data-count'));
      const marked: string[] = [];
      for (let k = 0; k < count; k++) {
        const name = await attr(walk(page), 'data-name'), to = await walk(page).getAttribute('data-delta-to');
        if (to !== null) {
          marked.push(name);
          // The output sigmoid sends δ(L) to its input z(L): (a − y)·a·(1 − a) under squared error, a − y under log loss.
          expect(await attr(walk(page), 'data-op')).toBe('sigmoid');
          expect(to).toBe(z3);
          const sent = (JSON.parse(await attr(walk(page), 'data-sends')) as { to: string; grad: number[] }[]).find((s) => s.to === z3)!.grad;
          expect(sent).toHaveLength(4);
          sent.forEach((d, i) => expect(Math.abs(d - hand[i]), `${loss} δ(L) row ${i}`).toBeLessThanOrEqual(1e-12));
          await expect.poll(() => walk(page).locator(`.walk-send.delta-mark[data-to="${z3}"] .delta-note`).isVisible()).toBe(true);
        }
        if (name === 'z(3) = z(L)') { // and z(L) receives it
          const g: number[] = JSON.parse(await attr(walk(page), 'data-g'));
          g.forEach((d, i) => expect(Math.abs(d - hand[i]), `${loss} g at z(L) row ${i}`).toBeLessThanOrEqual(1e-12));
          expect(await walk(page).locator('.walk-g.delta-mark .delta-note').textContent()).toContain(loss === 'mse' ? '(a − y)·a·(1 − a)' : 'a − y');
        }
        if (k < count - 1) await page.click('#walk-step');
      }
      expect(marked).toEqual(['a(3) = a(L)']);
      await page.click('#walk-cancel');
    }
  });

  it('cancel leaves the weights bit for bit as they were, and training where it was', async () => {
    const before = await weightBits(page), steps = await card(page, 'mse').getAttribute('data-steps');
    const deltas = await card(page, 'mse').getAttribute('data-delta');
    await startWalk(page, 'mse');
    for (const sel of ['#run', '#step', '#reset', '#lr', '#seed', '[data-graph="bce"]']) expect(await page.locator(sel).isDisabled(), sel).toBe(true);
    await page.click('#walk-step');
    await page.click('#walk-step');
    expect(await weightBits(page)).toBe(before);
    await page.click('#walk-end');
    expect(await attr(walk(page), 'data-index')).toBe(String(Number(await attr(walk(page), 'data-count')) - 1));
    expect(await weightBits(page)).toBe(before);
    await page.click('#walk-cancel');
    await expect.poll(() => walk(page).isVisible()).toBe(false);
    expect(await weightBits(page)).toBe(before);
    expect(await card(page, 'mse').getAttribute('data-steps')).toBe(steps);
    expect(await card(page, 'mse').getAttribute('data-delta')).toBe(deltas);
    expect(await page.locator('#step').isDisabled()).toBe(false);
    await expect.poll(() => page.locator('#graph svg').textContent()).toContain('grad'); // the gradients are drawn again
  });

  it('apply, at the end of the walk, makes exactly one training step: the weights an ordinary step gives', async () => {
    for (const loss of ['mse', 'bce'] as const) {
      await page.click('#reset');
      await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('0');
      const start = await weightBits(page);
      await page.click('#step'); // the ordinary step, from the same start
      await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('1');
      const stepped = await weightBits(page);
      expect(stepped).not.toBe(start);
      await page.click('#reset');
      await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe('0');
      expect(await weightBits(page)).toBe(start);

      await startWalk(page, loss);
      expect(await page.locator('#walk-apply').isDisabled()).toBe(true); // not before the walk is complete
      await page.click('#walk-step');
      await page.click('#walk-end');
      expect(await weightBits(page)).toBe(start);
      await page.click('#walk-apply');
      await expect.poll(() => walk(page).isVisible()).toBe(false);
      for (const l of ['mse', 'bce'] as const) expect(await card(page, l).getAttribute('data-steps'), l).toBe('1');
      expect(await weightBits(page)).toBe(stepped);
    }
  });

  it('profile panel: the ops of the shown network\'s training step, with calls per step, phase, self time and share', async () => {
    type Row = { name: string; phase: string; calls: number; self: number };
    const want = {
      mse: [['matmul', 'forward', 2], ['sigmoid', 'forward', 2], ['squaredError', 'forward', 1], ['sum', 'forward', 1], ['mul', 'forward', 1],
        ['∂mul', 'backward', 1], ['∂sum', 'backward', 1], ['∂squaredError', 'backward', 1], ['∂sigmoid', 'backward', 2], ['∂matmul', 'backward', 3],
        ['SGD.zeroGrad', 'optimizer', 1], ['SGD.step', 'optimizer', 1]],
      bce: [['matmul', 'forward', 2], ['sigmoid', 'forward', 2], ['binaryCrossEntropy', 'forward', 1], ['sum', 'forward', 1],
        ['∂sum', 'backward', 1], ['∂binaryCrossEntropy', 'backward', 1], ['∂sigmoid', 'backward', 2], ['∂matmul', 'backward', 3],
        ['SGD.zeroGrad', 'optimizer', 1], ['SGD.step', 'optimizer', 1]],
    } as const;
    const steps = await weightBits(page);
    for (const loss of ['mse', 'bce'] as const) {
      await page.click(`[data-graph="${loss}"]`);
      await page.click('#profile-run');
      await expect.poll(() => page.locator('#profile').getAttribute('data-loss')).toBe(loss);
      const rows: Row[] = JSON.parse(await attr(page.locator('#profile'), 'data-rows'));
      for (const [name, phase, calls] of want[loss]) {
        expect(rows.find((r) => r.name === name && r.phase === phase)?.calls, `${loss}: ${name} (${phase})`).toBe(calls);
      }
      expect(rows.some((r) => r.name === (loss === 'mse' ? 'binaryCrossEntropy' : 'squaredError'))).toBe(false);
      rows.forEach((r) => expect(r.self).toBeGreaterThanOrEqual(0));
      // The table shows them: one row each, with the share of the step.
      const table = page.locator('#profile .profile-table tbody tr');
      expect(await table.count()).toBe(rows.length);
      const first = await table.first().locator('td').allTextContents();
      expect(first[0]).toBe(rows[0].name);
      expect(first[4]).toMatch(/%$/);
      expect(await page.locator('#profile .profile-text').textContent()).toContain('Self time');
    }
    expect(await weightBits(page)).toBe(steps); // profiled on a copy: the page's network did not move
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

  it('steps through backward to an applied update, and profiles a step, from disk too', async () => {
    const steps = Number(await card(page, 'mse').getAttribute('data-steps')), before = await weightBits(page);
    await page.click('#profile-run');
    await startWalk(page, 'mse');
    expect(await attr(walk(page), 'data-count')).toBe('9');
    expect(await attr(walk(page), 'data-order-check')).toBe('ok');
    for (let k = 0; k < 3; k++) await page.click('#walk-step'); // to the output sigmoid, where δ(L) is sent to z(L)
    expect(await attr(walk(page), 'data-name')).toBe('a(3) = a(L)');
    expect((await drawn(page)).nodes.filter((n) => /\bcurrent\b/.test(n.cls)).map((n) => n.id)).toEqual([await attr(walk(page), 'data-node')]);
    await page.evaluate('window.scrollTo(0, 0)'); // the sticky toolbar back in its place for the full-page picture
    await page.screenshot({ path: WALK_SHOT, fullPage: true });
    await page.click('#walk-end');
    expect(await weightBits(page)).toBe(before);
    await page.click('#walk-apply');
    await expect.poll(() => card(page, 'mse').getAttribute('data-steps')).toBe(String(steps + 1));
    expect(await weightBits(page)).not.toBe(before);
    const rows: { name: string; phase: string; calls: number }[] = JSON.parse(await attr(page.locator('#profile'), 'data-rows'));
    // One row per name and phase (matmul runs in the backward too: δ·Wᵀ); the optimizer's span keeps its class name.
    for (const [name, phase, calls] of [['matmul', 'forward', 2], ['sigmoid', 'forward', 2], ['∂matmul', 'backward', 3], ['SGD.step', 'optimizer', 1]] as const) {
      expect(rows.find((r) => r.name === name && r.phase === phase)?.calls, `${name} (${phase})`).toBe(calls);
    }
  });

  it('raised no page or console errors and loaded nothing from elsewhere', () => {
    expect(fileErrors).toEqual([]);
    expect(requests.filter((r) => r !== url && !r.startsWith('data:'))).toEqual([]);
  });
});
