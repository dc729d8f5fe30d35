// examples/spiral.ts run as a user runs it (node with the tsx loader), checked by its output and its SVG.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExample } from './run-example.ts';

const spiral = (...args: string[]) => runExample('spiral', ...args);

const tmp = mkdtempSync(join(tmpdir(), 'spiral-example-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.concurrent('examples/spiral.ts', () => {
  it('from the default seed reaches at least 95% training accuracy, printing loss and accuracy as it trains; --plot writes the regions and the points', async () => {
    const file = join(tmp, 'spiral.svg');
    const r = await spiral('--plot', file);
    expect(r.code, r.err).toBe(0);
    const progress = [...r.out.matchAll(/^ {2}step +(\d+) +loss (\d+\.\d+) +accuracy (\d+\.\d+)%$/gm)].map((m) => [+m[1], +m[2], +m[3]]);
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.at(-1)![0]).toBe(300);
    expect(progress.at(-1)![1]).toBeLessThan(progress[0][1] / 4); // the loss falls
    const final = r.out.match(/^final loss (\d+\.\d+), training accuracy (\d+\.\d+)% \(per class: (.*)\)$/m);
    expect(final, r.out).not.toBeNull();
    expect(Number(final![2])).toBeGreaterThanOrEqual(95);
    expect(final![3].split(', ')).toHaveLength(3);
    expect(r.out).toContain('Sequential(\n  (0): Linear(in=2, out=32, bias=true)\n  (1): ReLU()');

    const svg = readFileSync(file, 'utf8');
    const lines = svg.trim().split('\n');
    expect(lines[0]).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"[^>]*>$/);
    expect(lines.at(-1)).toBe('</svg>');
    // Every other line is one whole element: a self-closing rect or circle, a text, or the group around the regions.
    for (const line of lines.slice(1, -1)) {
      expect(line).toMatch(/^(<(rect|circle)( [\w-]+="[^"<&]*")+\/>|<text( [\w-]+="[^"<&]*")+>[^<]*<\/text>|<g [\w-]+="[^"]*">|<\/g>)$/);
    }
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="(#\w{6})"/g)];
    expect(circles).toHaveLength(300);
    expect(new Set(circles.map((c) => c[3])).size).toBe(3); // the points of three classes
    const regions = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#\w{6})"\/>/g)];
    expect(regions.length).toBeGreaterThan(90); // at least one run per row of cells
    expect(new Set(regions.map((m) => m[1])).size).toBe(3); // each class wins somewhere
    expect(svg).toContain(`training accuracy ${final![2]}%`);
  });

  it('--help exits 0 and lists every option', async () => {
    const r = await spiral('--help');
    expect(r.code).toBe(0);
    for (const opt of ['--points', '--noise', '--hidden', '--steps', '--lr', '--seed', '--plot']) expect(r.out).toContain(opt);
  });

  it.each([
    [['--steps', '0'], /--steps must be an integer from 1/],
    [['--lr=-1'], /--lr must be a positive number/],
    [['--lr', '0'], /--lr must be a positive number/],
    [['--noise', 'lots'], /--noise must be a non-negative number/],
    [['--points', '1'], /--points must be an integer from 2/],
    [['--plot', ''], /--plot needs a file name/],
    [['--bogus'], /bogus/],
  ])('a bad option %j exits non-zero with a message on stderr', async (args, message) => {
    const r = await spiral(...args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('--help');
    expect(r.out).toBe('');
  });
});
