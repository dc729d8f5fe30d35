// The examples' command lines: numbers parsed strictly (a message naming the option), and the entry point.

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

/** Parse argv and run main; a bad option prints its message and exits with 2, --help prints the usage. */
export function runCli<O extends { help: boolean }>(name: string, parse: (argv: string[]) => O, usage: string, main: (o: O) => void): void {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${name}: ${(e as Error).message}\nRun with --help for usage.\n`);
    process.exit(2);
  }
  if (options.help) process.stdout.write(usage);
  else main(options);
}
