import type { Query, QueryKey } from "@tanstack/react-query";
import type { ApiPaths } from "./client";

/**
 * Reading the query keys that openapi-react-query builds (`[method, path, init]`), so that the
 * change stream can find every cached answer of one endpoint for one beamtime.
 */
interface KeyInit {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
}

export function keyPath(key: QueryKey): string | undefined {
  return typeof key[1] === "string" ? key[1] : undefined;
}

export function keyInit(key: QueryKey): KeyInit {
  const init = key[2];
  return typeof init === "object" && init !== null ? (init as KeyInit) : {};
}

export function keyQuery(key: QueryKey): Record<string, unknown> {
  return keyInit(key).params?.query ?? {};
}

export function keyBeamtime(key: QueryKey): number | undefined {
  const bt = keyInit(key).params?.path?.bt;
  return bt === undefined ? undefined : Number(bt);
}

/** A predicate for `queryClient.invalidateQueries` and friends: GETs of `paths` for beamtime `bt`. */
export function forBeamtime(bt: number, paths: readonly (keyof ApiPaths)[]) {
  const wanted = new Set<string>(paths);
  return (query: Query) => {
    const path = keyPath(query.queryKey);
    if (query.queryKey[0] !== "get" || path === undefined || !wanted.has(path)) return false;
    const owner = keyBeamtime(query.queryKey);
    return owner === undefined || owner === bt;
  };
}
