// `npm run docs`: TypeDoc's command line, run from this folder's own install of TypeDoc and TypeScript 5.9.
//
// Why a folder of its own: the package builds and type-checks with TypeScript 7 (the native compiler), which has
// no JavaScript compiler API, and TypeDoc 0.28 is built on that API (its peer dependency accepts TypeScript 5.0 to
// 6.0 only; check `npm view typedoc peerDependencies`). An npm alias at the top level ("typescript-api":
// "npm:typescript@5.9.x") would not do: npm resolves TypeDoc's peer against the top-level `typescript` (7.x) and
// refuses the tree, and the alias's own `tsc` bin would take the place of TypeScript 7's in node_modules/.bin.
// As the dependencies of this local package (a `file:` devDependency of the root), TypeDoc and TypeScript 5.9 are
// installed in tools/typedoc/node_modules by the root's `npm ci`, TypeDoc finds TypeScript 5.9 beside it, and
// nothing of theirs reaches the root's bins. The options are in ../../typedoc.json.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const typedoc = dirname(createRequire(import.meta.url).resolve('typedoc/package.json'));
await import(pathToFileURL(join(typedoc, 'dist', 'cli.js')).href); // reads process.argv and exits with TypeDoc's code
