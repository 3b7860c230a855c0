import type { Query, QueryClient } from "@tanstack/react-query";
import { fetchClient } from "../api/client";
import { forBeamtime, keyBeamtime, keyInit, keyPath, keyQuery } from "../api/keys";
import { isProblem } from "../api/problem";
import type { Run, RunPage } from "../api/types";
import { inRanges, toRanges } from "../lib/runRanges";
import type { CacheAction } from "./changePlan";
import { patchRunPage } from "./runCache";

const RUNS = "/api/beamtimes/{bt}/runs";
const RUN = "/api/beamtimes/{bt}/runs/{number}";
/** Listing parameters that only the server can evaluate for a run. */
const SERVER_FILTERS = ["filter", "date", "experiment_type_id", "data_set_id"] as const;

export async function applyActions(client: QueryClient, bt: number, actions: readonly CacheAction[]): Promise<void> {
  for (const action of actions) {
    switch (action.kind) {
      case "refresh-runs":
        await refreshRuns(client, bt, action.numbers);
        break;
      case "remove-runs":
        patchListings(client, bt, [], action.numbers, async () => new Set());
        forgetRuns(client, bt, action.numbers);
        break;
      case "invalidate":
        await client.invalidateQueries({ predicate: forBeamtime(bt, action.paths) });
        break;
      case "invalidate-all":
        await client.invalidateQueries({ predicate: (query) => keyBeamtime(query.queryKey) === bt });
    }
  }
}

async function fetchRuns(bt: number, numbers: readonly number[], extra: Record<string, unknown> = {}): Promise<Run[]> {
  if (numbers.length === 1 && Object.keys(extra).length === 0) {
    try {
      const { data } = await fetchClient.GET(RUN, { params: { path: { bt, number: numbers[0] as number } } });
      return data ? [data] : [];
    } catch (error) {
      if (isProblem(error, 404)) return [];
      throw error;
    }
  }
  const { data } = await fetchClient.GET(RUNS, {
    params: { path: { bt }, query: { ...extra, runs: toRanges(numbers), limit: "all" } },
  });
  return data?.items ?? [];
}

async function refreshRuns(client: QueryClient, bt: number, numbers: number[]): Promise<void> {
  const fresh = await fetchRuns(bt, numbers);
  const found = new Set(fresh.map((run) => run.number));
  const gone = numbers.filter((number) => !found.has(number));
  patchListings(client, bt, fresh, gone, (filters) =>
    fetchRuns(bt, fresh.map((run) => run.number), filters).then((runs) => new Set(runs.map((run) => run.number))),
  );
  for (const run of fresh) {
    client.setQueriesData<Run>({ predicate: (query) => isRunQuery(query, bt, run.number) }, () => run);
  }
  forgetRuns(client, bt, gone);
}

function isRunQuery(query: Query, bt: number, number: number): boolean {
  const key = query.queryKey;
  return keyPath(key) === RUN && keyBeamtime(key) === bt && Number(keyInit(key).params?.path?.number) === number;
}

function forgetRuns(client: QueryClient, bt: number, numbers: readonly number[]): void {
  for (const number of numbers) client.removeQueries({ predicate: (query) => isRunQuery(query, bt, number) });
}

/**
 * Patches every cached listing of this beamtime. A listing with a filter the browser cannot
 * evaluate asks the server which of the fresh runs match it (one request per distinct filter).
 */
function patchListings(
  client: QueryClient,
  bt: number,
  fresh: readonly Run[],
  gone: readonly number[],
  matching: (filters: Record<string, unknown>) => Promise<Set<number>>,
): void {
  const cache = client.getQueryCache().findAll({ predicate: (query) => keyPath(query.queryKey) === RUNS && keyBeamtime(query.queryKey) === bt });
  const asked = new Map<string, Promise<Set<number>>>();
  for (const query of cache) {
    const params = keyQuery(query.queryKey);
    if (params.limit !== "all" || query.state.fetchStatus === "fetching") {
      // Pages cannot be patched in place, and a listing in flight may predate this change.
      void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    const filters = Object.fromEntries(SERVER_FILTERS.filter((name) => params[name] != null && params[name] !== "").map((name) => [name, params[name]]));
    const ranges = typeof params.runs === "string" && params.runs !== "" ? params.runs : null;
    const sort = typeof params.sort === "string" ? params.sort : "-number";
    const apply = (matches: Set<number> | null) => {
      const kept = fresh.filter((run) => (matches === null || matches.has(run.number)) && (ranges === null || inRanges(ranges, run.number)));
      const keptNumbers = new Set(kept.map((run) => run.number));
      const dropped = [...gone, ...fresh.filter((run) => !keptNumbers.has(run.number)).map((run) => run.number)];
      client.setQueryData<RunPage>(query.queryKey, (page) => (page ? patchRunPage(page, kept, dropped, sort) : page));
    };
    if (Object.keys(filters).length === 0 || fresh.length === 0) {
      apply(null);
      continue;
    }
    const signature = JSON.stringify(filters);
    let answer = asked.get(signature);
    if (!answer) {
      answer = matching(filters);
      asked.set(signature, answer);
    }
    answer.then(apply, () => void client.invalidateQueries({ queryKey: query.queryKey, exact: true }));
  }
}
