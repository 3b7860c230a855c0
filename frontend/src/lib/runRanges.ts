/** Run numbers as the compact ranges the API speaks (`1-5,8,10-12`). */
export function toRanges(numbers: Iterable<number>): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  let index = 0;
  while (index < sorted.length) {
    const first = sorted[index] as number;
    let last = first;
    while (index + 1 < sorted.length && sorted[index + 1] === last + 1) {
      index += 1;
      last = sorted[index] as number;
    }
    parts.push(first === last ? String(first) : `${first}-${last}`);
    index += 1;
  }
  return parts.join(",");
}

/** Whether `number` lies in the ranges; malformed parts match nothing (the server judges those). */
export function inRanges(ranges: string, number: number): boolean {
  return ranges.split(",").some((part) => {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) return false;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    return number >= first && number <= last;
  });
}
