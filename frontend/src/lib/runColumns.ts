import type { Attributo, ExperimentType, Run } from "../api/types";
import { displayValue, type ParseContext } from "./attributoValues";
import { formatDateTime, formatDuration } from "./time";

/** One column of the run table: a run field or an attributo. */
export interface RunColumn {
  id: string;
  header: string;
  /** The server's `sort` name for this column. */
  sortKey: string;
  attributo: Attributo | null;
  text(run: Run): string;
}

export function attributoColumnId(attributo: Attributo): string {
  // By id, so that a renamed attributo keeps its place and visibility.
  return `attributo:${attributo.id}`;
}

/** The columns in their default order: run fields first, then manual attributi, then the rest. */
export function runColumns(attributi: readonly Attributo[], experimentTypes: readonly ExperimentType[], context: ParseContext): RunColumn[] {
  const typeNames = new Map(experimentTypes.map((type) => [type.id, type.name]));
  const fixed: RunColumn[] = [
    { id: "started", header: "Started", sortKey: "started", attributo: null, text: (run) => formatDateTime(run.started, context.timeZone) },
    {
      id: "duration",
      header: "Duration",
      sortKey: "stopped",
      attributo: null,
      text: (run) => (run.stopped ? formatDuration(Date.parse(run.stopped) - Date.parse(run.started)) : "running"),
    },
    {
      id: "experiment_type",
      header: "Experiment type",
      sortKey: "experiment_type",
      attributo: null,
      text: (run) => (run.experiment_type_id === null ? "" : (typeNames.get(run.experiment_type_id) ?? `#${run.experiment_type_id}`)),
    },
  ];
  const rank = (attributo: Attributo) => (attributo.group === "manual" ? 0 : 1);
  const ordered = attributi
    .filter((attributo) => attributo.associated_table === "run")
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const dynamic = ordered.map<RunColumn>((attributo) => ({
    id: attributoColumnId(attributo),
    header: attributo.name,
    sortKey: attributo.name,
    attributo,
    text: (run) => displayValue(run.attributi[attributo.name], attributo.type, context),
  }));
  return [...fixed, ...dynamic];
}

/** `-number` → ("number", descending); the next sort when a header is clicked. */
export function nextSort(current: string, sortKey: string): string {
  if (current === sortKey) return `-${sortKey}`;
  if (current === `-${sortKey}`) return sortKey;
  // Numbers and times are usually wanted newest first, names alphabetically.
  return sortKey === "number" || sortKey === "started" || sortKey === "stopped" ? `-${sortKey}` : sortKey;
}

export function sortDirection(current: string, sortKey: string): "asc" | "desc" | null {
  if (current === sortKey) return "asc";
  if (current === `-${sortKey}`) return "desc";
  return null;
}
