"""NumPy's legacy permutations, for test/data.test.ts: DataLoader's shuffle and randomSplit draw theirs as
np.random.RandomState(seed).permutation(n) does, so a seed orders samples as NumPy would.

Run once from the repository root with NumPy (1.24 was used: Debian's python3-numpy):

    python3 scripts/permutation_reference.py

It writes test/fixtures/permutations.json: for each seed and n, the first two permutations one generator draws in
turn (a DataLoader draws a new one each epoch). For large n only the first and last 32 entries are kept, which
depend on every swap.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'permutations.json')
KEEP = 32


def draws(seed, n):
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(2):
        p = rng.permutation(n).tolist()
        out.append({'head': p[:KEEP], 'tail': p[-KEEP:]} if n > 2 * KEEP else {'all': p})
    return out


cases = [{'seed': seed, 'n': n, 'draws': draws(seed, n)}
         for seed in (0, 1, 42) for n in (0, 1, 2, 10, 100, 1797, 100003)]
with open(OUT, 'w') as f:
    json.dump({'numpy': np.__version__, 'cases': cases}, f)
    f.write('\n')
print(f'wrote {os.path.relpath(OUT)}: {len(cases)} cases (NumPy {np.__version__})')
