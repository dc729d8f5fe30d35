import * as T from './src/index.ts';
const { vmap, randn, tensor, nn } = T as any;
const x = randn([4, 3, 6, 6]);
const tries: [string, (e: any) => any][] = [
  ['gelu', (e) => T.gelu(e)], ['silu', (e) => T.silu(e)], ['leakyRelu', (e) => T.leakyRelu(e)], ['elu', (e) => T.elu(e)], ['softplus', (e) => T.softplus(e)], ['logSigmoid', (e) => T.logSigmoid(e)], ['hardtanh', (e) => T.hardtanh(e)],
  ['layerNorm', (e) => T.layerNorm(e, [6])], ['pad', (e) => T.pad(e, [1, 1])], ['conv2d', (e) => T.conv2d(e, randn([2, 3, 3, 3]))], ['maxPool2d', (e) => T.maxPool2d(e, 2)], ['avgPool2d', (e) => T.avgPool2d(e, 2)],
  ['adaptiveAvgPool2d', (e) => T.adaptiveAvgPool2d(e, 1)],
];
for (const [n, f] of tries) { try { vmap(f)(x); console.log(n, 'ok'); } catch (err: any) { console.log(n, 'ERR', err.message.slice(0, 100)); } }
try { vmap((i: any) => T.embedding(i, randn([10, 3])))(tensor([[1, 2], [3, 4]])); console.log('embedding ok'); } catch (err: any) { console.log('embedding ERR', err.message.slice(0, 100)); }
