import { useQuery } from "@tanstack/react-query";
import { $api, fetchClient } from "./client";
import { isProblem } from "./problem";
import type { Me } from "./types";

/**
 * The reads pages share. Data that the change stream keeps current never goes stale by time
 * (`staleTime: Infinity`): it is refreshed when a change says so, not by polling.
 */
const LIVE = { staleTime: Infinity } as const;
export const ALL = 10000;

export function useBeamtimes() {
  return $api.useQuery("get", "/api/beamtimes", { params: { query: { limit: ALL } } });
}

export function useBeamtime(bt: number) {
  return $api.useQuery("get", "/api/beamtimes/{bt}", { params: { path: { bt } } }, LIVE);
}

export function useAttributi(bt: number, table: "run" | "chemical" = "run") {
  return $api.useQuery("get", "/api/beamtimes/{bt}/attributi", { params: { path: { bt }, query: { limit: ALL, table } } }, LIVE);
}

export function useChemicals(bt: number) {
  return $api.useQuery("get", "/api/beamtimes/{bt}/chemicals", { params: { path: { bt }, query: { limit: ALL } } }, LIVE);
}

export function useExperimentTypes(bt: number) {
  return $api.useQuery("get", "/api/beamtimes/{bt}/experiment-types", { params: { path: { bt }, query: { limit: ALL } } }, LIVE);
}

export interface RunListParams {
  filter?: string | undefined;
  runs?: string | undefined;
  date?: string | undefined;
  sort: string;
}

/** Rows shown while the whole table is still on its way. */
const HEAD_ROWS = 200;

/**
 * The whole run table at once (`limit=all`); the stream patches it run by run afterwards.
 * A large table takes a while to arrive, so the first rows are fetched alongside and shown
 * until then, which makes the page usable at once.
 */
export function useRuns(bt: number, params: RunListParams) {
  const query = {
    sort: params.sort,
    ...(params.filter ? { filter: params.filter } : {}),
    ...(params.runs ? { runs: params.runs } : {}),
    ...(params.date ? { date: params.date } : {}),
  };
  const all = $api.useQuery("get", "/api/beamtimes/{bt}/runs", { params: { path: { bt }, query: { ...query, limit: "all" } } }, { ...LIVE, retry: false });
  const head = $api.useQuery(
    "get",
    "/api/beamtimes/{bt}/runs",
    { params: { path: { bt }, query: { ...query, limit: HEAD_ROWS } } },
    { ...LIVE, retry: false, enabled: all.data === undefined && !all.error },
  );
  const partial = all.data === undefined && head.data !== undefined && head.data.total > head.data.items.length;
  return { data: all.data ?? head.data, error: all.error ?? head.error, isFetching: all.isFetching, partial };
}

export function useOverview(bt: number) {
  return $api.useQuery("get", "/api/beamtimes/{bt}/overview", { params: { path: { bt } } }, LIVE);
}

export interface EventFilters {
  q?: string | undefined;
  level?: string | undefined;
  limit?: number | undefined;
}

export function useEvents(bt: number, filters: EventFilters = {}) {
  const query = {
    limit: filters.limit ?? 500,
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.level ? { level: filters.level } : {}),
  };
  return $api.useQuery("get", "/api/beamtimes/{bt}/events", { params: { path: { bt }, query } }, LIVE);
}

/**
 * Who is signed in. A server without access control (AMARCORD_AUTH=none) says `kind: "open"`,
 * and one without the auth endpoints answers 404: then everyone may do everything and there
 * is nothing to sign in to. 401 means signing in is possible but nobody has.
 */
export type Session = { mode: "open" } | { mode: "anonymous" } | { mode: "user"; me: Me };

export const SESSION_KEY = ["session"] as const;

export function useSession() {
  return useQuery<Session>({
    queryKey: SESSION_KEY,
    staleTime: Infinity,
    retry: false,
    queryFn: async () => {
      try {
        const { data } = await fetchClient.GET("/api/auth/me");
        if (!data) return { mode: "anonymous" };
        return data.kind === "open" ? { mode: "open" } : { mode: "user", me: data };
      } catch (error) {
        if (isProblem(error, 404)) return { mode: "open" };
        if (isProblem(error, 401)) return { mode: "anonymous" };
        throw error;
      }
    },
  });
}
