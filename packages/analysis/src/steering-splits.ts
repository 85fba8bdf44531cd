import type { Rng } from "@pva/core";

/**
 * Random steered/control halves of the activities, stratified by category: within each category
 * the activities are shuffled and the first half steered. Categories with an odd count give the
 * extra activity alternately to the steered and the control half, so the halves stay within one
 * activity of each other in size. Split k draws from `rng.fork("split:k")`.
 */
export function stratifiedSplits(
  activities: readonly { id: string; category: string }[],
  splits: number,
  rng: Rng,
): Set<string>[] {
  const byCategory = new Map<string, string[]>();
  for (const { id, category } of activities) {
    const ids = byCategory.get(category) ?? [];
    ids.push(id);
    byCategory.set(category, ids);
  }
  const categories = [...byCategory.keys()].sort();
  return Array.from({ length: splits }, (_, k) => {
    const splitRng = rng.fork(`split:${k}`);
    const steered = new Set<string>();
    let odd = 0;
    for (const category of categories) {
      const ids = splitRng.shuffle(byCategory.get(category)!);
      let half = Math.floor(ids.length / 2);
      if (ids.length % 2 === 1) half += odd++ % 2 === 0 ? 1 : 0;
      for (const id of ids.slice(0, half)) steered.add(id);
    }
    return steered;
  });
}
