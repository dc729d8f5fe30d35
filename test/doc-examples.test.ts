// The `@example` blocks of the doc comments in src/ (what the API reference and an editor's hover show), run.
//
// An example is plain JavaScript with the package's exports in scope (tensor, nn, optim, …). A line that is an
// expression followed by `// value` is a check: the expression's value (a tensor as its toArray(), arrays and
// plain objects entry by entry) must equal the value, a JavaScript literal; a number written with d decimals
// must match to d decimals (rounded), an integer exactly. `// throws 'text'` checks that the line throws an Error
// whose message contains the text. Other lines (declarations, statements) just run, in order, in one scope.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.ts';
import { Tensor } from '../src/index.ts';

const root = join(import.meta.dirname, '..');
const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts')).map((f) => join(root, 'src', f)).sort();

interface Example { file: string; line: number; code: string[] }

/** Each `@example` of each doc comment: the lines of its ```ts block, without the comment's leading ` * `. */
function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8'), out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/$/, ''));
    const startLine = text.slice(0, m.index).split('\n').length;
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i]!)) continue;
      const open = lines.findIndex((l, k) => k > i && /^```(ts|typescript)?$/.test(l.trim()));
      const close = lines.findIndex((l, k) => k > open && l.trim() === '```');
      if (open < 0 || close < 0) throw new Error(`${relative(root, file)}:${startLine + i}: @example without a closed \`\`\`ts block`);
      out.push({ file: relative(root, file), line: startLine + open + 1, code: lines.slice(open + 1, close) });
    }
  }
  return out;
}

/** A value as an example writes it: tensors as nested arrays, arrays and plain objects entry by entry. */
function plain(v: unknown): unknown {
  if (v instanceof Tensor) return v.toArray();
  if (Array.isArray(v)) return v.map(plain);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** The number literals of an expected value's text, in order, with the tolerance each is written to. */
function tolerances(text: string): number[] {
  const unquoted = text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?Infinity|NaN/g)].map(([t]) => {
    const decimals = /\.(\d+)(?!.*e)/.exec(t)?.[1]!.length;
    return decimals === undefined ? 0 : 0.5 * 10 ** -decimals;
  });
}

/** Where `actual` differs from `expected` (numbers within their written tolerance), or null. */
function difference(actual: unknown, expected: unknown, tol: number[], path = ''): string | null {
  if (typeof expected === 'number') {
    const t = tol.shift() ?? 0;
    if (typeof actual !== 'number') return `${path || 'value'}: expected ${expected}, got ${JSON.stringify(actual)}`;
    const ok = Object.is(actual, expected) || Math.abs(actual - expected) <= t + 1e-12 * Math.max(1, Math.abs(expected));
    return ok ? null : `${path || 'value'}: expected ${expected}, got ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path || 'value'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(actual[i], expected[i], tol, `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return `${path || 'value'}: expected an object, got ${JSON.stringify(actual)}`;
    const keys = Object.keys(expected);
    if (JSON.stringify(Object.keys(actual).sort()) !== JSON.stringify([...keys].sort())) {
      return `${path || 'value'}: expected keys ${keys.join(', ')}, got ${Object.keys(actual).join(', ')}`;
    }
    for (const k of keys) {
      const d = difference((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], tol, `${path}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${path || 'value'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

const STATEMENT = /^(?:(?:const|let|var|for|if|while|do|class|function|return|try|throw)\b|[{}]|\/\/)/;

/** The example as the body of a function of the package's exports: each check a call of `check`. */
function program(ex: Example): string {
  return ex.code.map((line, i) => {
    const m = /^(.*?);?\s+\/\/ (.*)$/.exec(line);
    if (m === null || STATEMENT.test(line.trim())) return line;
    const [, expr, expected] = m;
    const thrown = /^throws (.+)$/.exec(expected!);
    return thrown !== null
      ? `check.throws(${i}, () => (${expr}), ${thrown[1]});`
      : `check(${i}, () => (${expr}), ${JSON.stringify(expected)}, (${expected}));`;
  }).join('\n');
}

function run(ex: Example): { checks: number } {
  let checks = 0;
  const where = (i: number): string => `${ex.file}:${ex.line + i}: ${ex.code[i]!.trim()}`;
  const check = (i: number, f: () => unknown, text: string, expected: unknown): void => {
    checks++;
    const d = difference(plain(f()), expected, tolerances(text));
    if (d !== null) throw new Error(`${where(i)}\n  ${d}`);
  };
  check.throws = (i: number, f: () => unknown, text: string): void => {
    checks++;
    let error: unknown = null;
    try { f(); } catch (e) { error = e; }
    if (!(error instanceof Error) || !error.message.includes(text)) {
      throw new Error(`${where(i)}\n  expected an Error containing '${text}', got ${error instanceof Error ? `'${error.message}'` : 'no error'}`);
    }
  };
  const names = Object.keys(lib);
  let body: (...args: unknown[]) => void;
  try {
    body = new Function('check', ...names, program(ex)) as typeof body;
  } catch (e) {
    throw new Error(`${ex.file}:${ex.line}: the example does not parse as JavaScript (a check's value must be a literal): ${String(e)}`);
  }
  body(check, ...names.map((n) => (lib as Record<string, unknown>)[n]));
  return { checks };
}

const examples = files.flatMap(examplesOf);

describe('the examples of the doc comments', () => {
  it('are there: one or more in most modules of the public API', () => {
    expect(examples.length).toBeGreaterThan(100);
  });

  for (const ex of examples) {
    it(`${ex.file}:${ex.line} ${ex.code.find((l) => l.trim() !== '')?.trim().slice(0, 60)}`, () => {
      expect(ex.code.length, 'an empty example').toBeGreaterThan(0);
      expect(run(ex).checks, 'an example checks at least one value (a line ending in // value)').toBeGreaterThan(0);
    });
  }
});

describe('every method and accessor of Tensor', () => {
  // A doc comment ending in a method or accessor of the class in src/autograd/tensor.ts (and tensor-base.ts).
  const documented = new Map<string, string>();
  for (const file of ['src/autograd/tensor.ts', 'src/autograd/tensor-base.ts']) {
    const text = readFileSync(join(root, file), 'utf8');
    // Members are indented two spaces (deeper ones, such as the properties of a return type, are not the class's).
    for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\n {2}(?:static |get |set |readonly )?([A-Za-z_]\w*)[(<:\s]/g)) {
      if (!documented.has(m[2]!)) documented.set(m[2]!, m[1]!);
    }
  }
  const members = (proto: object): string[] => Object.getOwnPropertyNames(proto).filter((k) => k !== 'constructor');
  const publicMembers = [...members(Tensor.prototype), ...members(Object.getPrototypeOf(Tensor.prototype) as object), 'from']
    .filter((k) => !['make', 'view', 'own', 'values', 'link', 'buf', 'off'].includes(k)); // @internal

  it.each(publicMembers)('%s has a doc comment with an example', (name) => {
    const doc = documented.get(name);
    expect(doc, `${name}: no doc comment`).toBeDefined();
    if (!['toString', 'requiresGrad', 'ndim', 'isLeaf', 'size', 'shape', 'grad', 'gradFn'].includes(name)) {
      expect(doc, `${name}: no @example`).toMatch(/@example/);
    }
  });
});
