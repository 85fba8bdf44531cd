import type { Design, OrderedPair } from "./design.js";

/** Every pair in both orders: n(n-1) ordered pairs, which cancels position bias by construction. */
export function allOrderedPairs(size: number): OrderedPair[] {
  const pairs: OrderedPair[] = [];
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) if (a !== b) pairs.push({ a, b });
  }
  return pairs;
}

export function createFullDesign(size: number): Design {
  let issued = false;
  return {
    plannedComparisons: size * (size - 1),
    next() {
      if (issued) return [];
      issued = true;
      return allOrderedPairs(size);
    },
  };
}
