import type { Run, RunPage } from "../api/types";

/**
 * Patching a cached run listing with runs fetched one by one, so that a change on the stream
 * never costs a reload of the whole table. The order must agree with the server's `sort`:
 * by one field or attributo, `-` for descending, unset values last, ties by run number.
 */
type Sortable = number | string | boolean;

function sortValue(run: Run, field: string): Sortable | null {
  switch (field) {
    case "number":
      return run.number;
    case "started":
      return run.started;
    case "stopped":
      return run.stopped;
    case "experiment_type":
    case "experiment_type_id":
      return run.experiment_type_id;
    default: {
      const value = run.attributi[field];
      if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
      // Lists and other structured values sort by their text, like anything unusual.
      return value === null || value === undefined ? null : JSON.stringify(value);
    }
  }
}

function compareValues(a: Sortable, b: Sortable): number {
  if (typeof a === "string" && typeof b === "string") {
    const left = Date.parse(a);
    const right = Date.parse(b);
    // ISO timestamps with different offsets compare as instants.
    if (/^\d{4}-\d\d-\d\dT/.test(a) && /^\d{4}-\d\d-\d\dT/.test(b) && !Number.isNaN(left) && !Number.isNaN(right)) {
      return left - right;
    }
  }
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

export function compareRuns(sort: string): (a: Run, b: Run) => number {
  const descending = sort.startsWith("-");
  const field = descending ? sort.slice(1) : sort;
  const direction = descending ? -1 : 1;
  return (a, b) => {
    const left = sortValue(a, field);
    const right = sortValue(b, field);
    if (left === null && right !== null) return 1;
    if (right === null && left !== null) return -1;
    const order = left === null || right === null ? 0 : compareValues(left, right) * direction;
    return order !== 0 ? order : (a.number - b.number) * direction;
  };
}

/**
 * The page after runs changed: `fresh` replace or join the listing (in sorted position),
 * `gone` leave it (deleted, or no longer matching the listing's filter).
 */
export function patchRunPage(page: RunPage, fresh: readonly Run[], gone: readonly number[], sort: string): RunPage {
  const touched = new Set<number>([...gone, ...fresh.map((run) => run.number)]);
  const kept = page.items.filter((run) => !touched.has(run.number));
  if (kept.length === page.items.length && fresh.length === 0) return page;
  const compare = compareRuns(sort);
  const items = [...kept];
  for (const run of [...fresh].sort(compare)) {
    items.splice(insertionIndex(items, run, compare), 0, run);
  }
  return { ...page, items, total: page.total + (items.length - page.items.length) };
}

function insertionIndex(items: readonly Run[], run: Run, compare: (a: Run, b: Run) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(items[middle] as Run, run) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
