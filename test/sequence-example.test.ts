// examples/sequence.ts run as a user runs it (node with the tsx loader): an LSTM, or a GRU, learns binary addition
// and gets every held-out sum right.
import { describe, expect, it } from 'vitest';
import { runExample } from './run-example.ts';

const sequence = (...args: string[]) => runExample('sequence', ...args);

describe.concurrent('examples/sequence.ts', () => {
  it.each([[[]], [['--cell', 'gru']]])('%j: prints its progress, then held-out sums, all right (100% of 1000)', async (args) => {
    const r = await sequence(...args);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(args.length === 0 ? '(rnn): LSTM(2, 16)' : '(rnn): GRU(2, 16)');
    const progress = [...r.out.matchAll(/^ {2}step +(\d+) +loss (\d+\.\d+) +bits right (\d+\.\d)%$/gm)].map((m) => [+m[1], +m[2], +m[3]]);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.length).toBeLessThanOrEqual(12);
    expect(progress.at(-1)![0]).toBe(400);
    expect(progress.at(-1)![1]).toBeLessThan(progress[0]![1] / 10); // the loss falls
    const shown = [...r.out.matchAll(/^ {2}( *\d+) \+ ( *\d+) = ( *\d+) {2}(✓|✗.*)$/gm)];
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const [, a, b, s, mark] of shown) expect(mark === '✓').toBe(Number(a) + Number(b) === Number(s));
    expect(r.out).toMatch(/^held-out accuracy: 1000 of 1000 sums right \(100\.00%\)$/m);
    expect(r.out).toMatch(/^trained in [\d.]+ s \([\d.]+ ms per step\)$/m);
  });

  it('--help exits 0 and lists every option', async () => {
    const r = await sequence('--help');
    expect(r.code).toBe(0);
    for (const opt of ['--cell lstm|gru', '--hidden', '--steps', '--batch', '--lr', '--seed', '--held-out']) expect(r.out).toContain(opt);
  });

  it.each([
    [['--cell', 'rnn'], /--cell must be 'lstm' or 'gru', got 'rnn'/],
    [['--steps', '0'], /--steps must be an integer from 1/],
    [['--lr', '0'], /--lr must be a positive number/],
    [['--held-out', '40000'], /--held-out must be an integer from 1 to 32768/],
    [['--bogus'], /bogus/],
  ])('a bad option %j exits non-zero with a message on stderr', async (args, message) => {
    const r = await sequence(...args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('--help');
    expect(r.out).toBe('');
  });
});
