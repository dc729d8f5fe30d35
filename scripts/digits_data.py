"""Convert scikit-learn's 8×8 digits into examples/digits/digits.bin, and write examples/digits/README.md.

Run once from the repository root with scikit-learn (1.2.1 was used: Debian's python3-sklearn):

    python3 scripts/digits_data.py

load_digits() is a copy of the test set of the UCI optical recognition of handwritten digits data (Alpaydin and
Kaynak, 1998): 1,797 images of 8×8 integer pixels in 0..16, each with its digit. digits.bin holds them as bytes:
the pixels first (image by image, each row by row), then the labels. The README records the source, the licences,
the layout, the count of each digit, the first image and the file's SHA-256, which test/digits-data.test.ts checks
against what examples/digits/data.ts reads.
"""
import hashlib
import os

import numpy as np
import sklearn
from sklearn.datasets import load_digits

DIR = os.path.join(os.path.dirname(__file__), '..', 'examples', 'digits')

digits = load_digits()
images, labels = digits.images, digits.target
n = len(labels)
assert images.shape == (n, 8, 8) and np.array_equal(images, np.round(images)) and images.min() >= 0 and images.max() <= 16
assert labels.min() >= 0 and labels.max() <= 9

blob = images.astype(np.uint8).tobytes() + labels.astype(np.uint8).tobytes()  # C order: image, row, column
with open(os.path.join(DIR, 'digits.bin'), 'wb') as f:
    f.write(blob)

counts = np.bincount(labels, minlength=10)
count_rows = '\n'.join(f'| {d} | {c} |' for d, c in enumerate(counts))
first = '\n'.join(' '.join(f'{int(v):2d}' for v in row) for row in images[0])

README = f"""# The 8×8 digits

`digits.bin` holds the {n:,} images of scikit-learn's `load_digits()`: handwritten digits, each an 8×8 grid of
integer pixels in 0..16 (the number of ink pixels in a 4×4 block of a 32×32 bitmap), with its digit 0–9.
`data.ts` beside this file reads it: `loadDigits()` gives the images as a tensor `[{n}, 1, 8, 8]` scaled to
[0, 1] (÷ 16) and the labels as a tensor `[{n}]`; `splitDigits(digits, seed)` holds out a fifth by a seeded
shuffle (`data.randomSplit`, not stratified).

## Source and licence

The data are the test set of the *Optical Recognition of Handwritten Digits* data set of the UCI Machine
Learning Repository: E. Alpaydin and C. Kaynak (1998), https://doi.org/10.24432/C50P49, licensed under Creative
Commons Attribution 4.0 International (CC BY 4.0). They were taken from the copy bundled with scikit-learn
{sklearn.__version__} (`sklearn.datasets.load_digits`; scikit-learn is BSD-3-Clause licensed) and converted, values
unchanged, by running this from the repository root (with NumPy and scikit-learn: Debian's `python3-sklearn`):

```sh
python3 scripts/digits_data.py
```

It writes `digits.bin` and this README.

## Layout of digits.bin

{len(blob):,} bytes, no header: {n} × 64 pixel bytes (image after image, each row by row, top row first, as
`load_digits().images`), then {n} label bytes, in the same order.

## Checks

`test/digits-data.test.ts` reads the tables below and compares them with what `data.ts` loads.

SHA-256 of digits.bin: `{hashlib.sha256(blob).hexdigest()}`

Images per digit:

| digit | images |
|---|---|
{count_rows}

The first image (a {labels[0]}), its pixels as in digits.bin:

```text
{first}
```
"""
with open(os.path.join(DIR, 'README.md'), 'w') as f:
    f.write(README)
print(f'wrote examples/digits/digits.bin ({len(blob)} bytes) and examples/digits/README.md; per digit: {counts.tolist()}')
