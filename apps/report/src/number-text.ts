/**
 * Numbers as the report writes them in captions, sentences and `summary.md`. A value that rounds to
 * zero is written without its minus sign: "-0.00" would read as a (negative) finding.
 */
export function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return Number(text) === 0 ? text.replace(/^-/, "") : text;
}

/** With an explicit "+" on positive values (shifts), none on zero. */
export function signed(value: number, digits = 0): string {
  const text = fixed(value, digits);
  return Number(text) > 0 ? `+${text}` : text;
}

/** An interval as "[low, high]". */
export function interval([low, high]: readonly [number, number], digits: number): string {
  return `[${fixed(low, digits)}, ${fixed(high, digits)}]`;
}
