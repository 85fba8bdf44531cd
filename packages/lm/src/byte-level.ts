/**
 * GPT-2's byte-level alphabet: every byte maps to a printable unicode character, so any UTF-8
 * text becomes a string of "byte characters" a BPE vocabulary can cover with 256 base tokens.
 */

let byteToChar: string[] | null = null;
let charToByte: Map<string, number> | null = null;

export function byteLevelAlphabet(): string[] {
  if (!byteToChar) {
    const printable: number[] = [];
    for (let b = 33; b <= 126; b++) printable.push(b);
    for (let b = 161; b <= 172; b++) printable.push(b);
    for (let b = 174; b <= 255; b++) printable.push(b);
    const table = new Array<string>(256);
    let next = 256;
    for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable.includes(b) ? b : next++);
    byteToChar = table;
  }
  return byteToChar;
}

/** The byte a byte-level character stands for, or undefined for characters outside the alphabet. */
export function byteOfChar(ch: string): number | undefined {
  if (!charToByte) charToByte = new Map(byteLevelAlphabet().map((c, b) => [c, b]));
  return charToByte.get(ch);
}
