import type { ApiPaths } from "../api/client";
import type { Change } from "../api/types";

/**
 * What one entry of the change feed means for the data this tab has cached. Runs are
 * re-fetched one by one and patched into the cached tables; everything else is small and is
 * simply marked stale (react-query re-fetches it if a page shows it).
 */
export type CacheAction =
  | { kind: "refresh-runs"; numbers: number[] }
  | { kind: "remove-runs"; numbers: number[] }
  | { kind: "invalidate"; paths: (keyof ApiPaths)[] }
  | { kind: "invalidate-all" };

type Path = keyof ApiPaths;

const OVERVIEW: Path = "/api/beamtimes/{bt}/overview";
const RUNS: Path = "/api/beamtimes/{bt}/runs";
const RUN: Path = "/api/beamtimes/{bt}/runs/{number}";

/** Entities whose cached answers are only marked stale, and which answers those are. */
const STALE_ON: Record<string, Path[]> = {
  beamtime: ["/api/beamtimes", "/api/beamtimes/{bt}", OVERVIEW],
  chemical: ["/api/beamtimes/{bt}/chemicals", "/api/beamtimes/{bt}/chemicals/{chemical_id}"],
  event: ["/api/beamtimes/{bt}/events", "/api/beamtimes/{bt}/events/{event_id}", OVERVIEW],
  configuration: ["/api/beamtimes/{bt}/configuration", OVERVIEW],
  experiment_type: ["/api/beamtimes/{bt}/experiment-types", OVERVIEW],
  data_set: ["/api/beamtimes/{bt}/data-sets", OVERVIEW],
  schedule: ["/api/beamtimes/{bt}/schedule", OVERVIEW],
  member: ["/api/beamtimes/{bt}/members"],
  token: ["/api/beamtimes/{bt}/tokens"],
  file: [],
};

export function planChange(change: Change): CacheAction[] {
  const actions: CacheAction[] = [];
  switch (change.entity) {
    case "run":
      actions.push(
        change.action === "deleted"
          ? { kind: "remove-runs", numbers: [change.entity_id] }
          : { kind: "refresh-runs", numbers: [change.entity_id] },
      );
      // Which runs a data set holds follows from the runs' attributi.
      actions.push({ kind: "invalidate", paths: [OVERVIEW, "/api/beamtimes/{bt}/data-sets"] });
      break;
    case "attributo":
      // A rename or a new type rewrites the values of every run and chemical.
      actions.push({
        kind: "invalidate",
        paths:
          change.action === "created"
            ? ["/api/beamtimes/{bt}/attributi"]
            : ["/api/beamtimes/{bt}/attributi", "/api/beamtimes/{bt}/attributi/{attributo_id}", RUNS, RUN, "/api/beamtimes/{bt}/chemicals", OVERVIEW],
      });
      break;
    default: {
      const paths = STALE_ON[change.entity];
      actions.push(paths === undefined ? { kind: "invalidate-all" } : { kind: "invalidate", paths });
    }
  }
  return actions;
}

/**
 * Many changes in a burst (a bulk edit touches hundreds of runs) folded into few actions:
 * one fetch for all runs to refresh, one removal, and each path invalidated once.
 */
export function mergeActions(actions: readonly CacheAction[]): CacheAction[] {
  const refresh = new Set<number>();
  const remove = new Set<number>();
  const paths = new Set<Path>();
  let everything = false;
  for (const action of actions) {
    switch (action.kind) {
      case "refresh-runs":
        for (const number of action.numbers) {
          refresh.add(number);
          remove.delete(number);
        }
        break;
      case "remove-runs":
        for (const number of action.numbers) {
          remove.add(number);
          refresh.delete(number);
        }
        break;
      case "invalidate":
        for (const path of action.paths) paths.add(path);
        break;
      case "invalidate-all":
        everything = true;
    }
  }
  if (everything) return [{ kind: "invalidate-all" }];
  const merged: CacheAction[] = [];
  if (refresh.size) merged.push({ kind: "refresh-runs", numbers: [...refresh].sort((a, b) => a - b) });
  if (remove.size) merged.push({ kind: "remove-runs", numbers: [...remove].sort((a, b) => a - b) });
  if (paths.size) merged.push({ kind: "invalidate", paths: [...paths] });
  return merged;
}
