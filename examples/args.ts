// Command-line numbers for the examples: parsed strictly, with a message naming the option.

export function integer(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return v;
}

export function real(name: string, text: string, positive: boolean): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new Error(`--${name} must be a ${positive ? 'positive' : 'non-negative'} number, got '${text}'`);
  }
  return v;
}
