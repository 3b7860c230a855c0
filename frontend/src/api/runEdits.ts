import type { QueryClient } from "@tanstack/react-query";
import { fetchClient, ifMatch } from "./client";
import { keyBeamtime, keyInit, keyPath } from "./keys";
import { isProblem } from "./problem";
import type { Run, RunPage, RunPatch } from "./types";

export type SaveResult = { kind: "saved"; run: Run } | { kind: "conflict"; base: Run; current: Run; patch: RunPatch };

/**
 * Saves an edit made on `base`. The request carries `If-Match: base.version`, so an edit made
 * on an outdated copy is refused (412) instead of silently overwriting someone else's; the
 * caller then gets the current run to show what changed. Other failures (422) are thrown.
 */
export async function saveRun(bt: number, base: Run, patch: RunPatch): Promise<SaveResult> {
  try {
    const { data } = await fetchClient.PATCH("/api/beamtimes/{bt}/runs/{number}", {
      params: { path: { bt, number: base.number } },
      body: patch,
      headers: ifMatch(base.version),
    });
    if (!data) throw new Error("the server answered without the run");
    return { kind: "saved", run: data };
  } catch (error) {
    if (!isProblem(error, 412)) throw error;
    const { data } = await fetchClient.GET("/api/beamtimes/{bt}/runs/{number}", { params: { path: { bt, number: base.number } } });
    if (!data) throw error;
    return { kind: "conflict", base, current: data, patch };
  }
}

/**
 * Shows a saved run at once wherever it is cached, in its current place. The change stream
 * follows within moments and also re-sorts and re-filters the listings.
 */
export function showSavedRun(client: QueryClient, bt: number, run: Run): void {
  for (const query of client.getQueryCache().getAll()) {
    const key = query.queryKey;
    if (keyBeamtime(key) !== bt) continue;
    const path = keyPath(key);
    if (path === "/api/beamtimes/{bt}/runs") {
      client.setQueryData<RunPage>(key, (page) => {
        if (!page) return page;
        const index = page.items.findIndex((item) => item.number === run.number);
        if (index < 0 || (page.items[index] as Run).version >= run.version) return page;
        const items = [...page.items];
        items[index] = run;
        return { ...page, items };
      });
    } else if (path === "/api/beamtimes/{bt}/runs/{number}" && Number(keyInit(key).params?.path?.number) === run.number) {
      client.setQueryData<Run>(key, (old) => (old && old.version >= run.version ? old : run));
    }
  }
}

export interface FieldDifference {
  field: string;
  base: unknown;
  current: unknown;
  mine: unknown;
  /** The edit would replace a value someone else just wrote. */
  clash: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * What happened between the copy an edit was made on and the run now: the fields the edit
 * touches (with who-wrote-what) and every other field someone changed meanwhile.
 */
export function describeConflict(base: Run, current: Run, patch: RunPatch): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const edited = patch.attributi ?? {};
  const names = new Set([...Object.keys(base.attributi), ...Object.keys(current.attributi), ...Object.keys(edited)]);
  for (const name of [...names].sort()) {
    const was = base.attributi[name];
    const now = current.attributi[name];
    const touched = Object.prototype.hasOwnProperty.call(edited, name);
    if (!touched && same(was, now)) continue;
    differences.push({ field: name, base: was, current: now, mine: touched ? edited[name] : undefined, clash: touched && !same(was, now) });
  }
  for (const field of ["started", "stopped", "experiment_type_id"] as const) {
    const touched = Object.prototype.hasOwnProperty.call(patch, field);
    if (!touched && same(base[field], current[field])) continue;
    differences.push({
      field,
      base: base[field],
      current: current[field],
      mine: touched ? patch[field] : undefined,
      clash: touched && !same(base[field], current[field]),
    });
  }
  return differences;
}
