import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isProblem } from "../api/problem";
import { useAttributi, useBeamtime, useChemicals, useExperimentTypes, useRuns } from "../api/queries";
import type { Run } from "../api/types";
import { ProblemView } from "../components/ProblemView";
import { BulkEdit } from "../components/runs/BulkEdit";
import { ColumnChooser } from "../components/runs/ColumnChooser";
import { QueryInput } from "../components/runs/QueryInput";
import { RunHistory } from "../components/runs/RunHistory";
import { RunTable } from "../components/runs/RunTable";
import { useRunEditing } from "../components/useRunEditing";
import type { ParseContext } from "../lib/attributoValues";
import { arrangeColumns, loadColumnPrefs, saveColumnPrefs, type ColumnPrefs } from "../lib/columnPrefs";
import { queryMistake } from "../lib/filterError";
import { nextSort, runColumns, type RunColumn } from "../lib/runColumns";
import { daysBetween } from "../lib/time";
import { useSearchParams } from "../router";

const DEFAULT_SORT = "-number";

export function RunsPage({ bt }: { bt: number }) {
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") ?? "";
  const ranges = params.get("runs") ?? "";
  const date = params.get("date") ?? "";
  const sort = params.get("sort") ?? DEFAULT_SORT;

  const beamtime = useBeamtime(bt);
  const attributi = useAttributi(bt, "run");
  const chemicals = useChemicals(bt);
  const experimentTypes = useExperimentTypes(bt);
  const runs = useRuns(bt, { filter, runs: ranges, date, sort });
  const { edit, dialog } = useRunEditing(bt);

  const timeZone = beamtime.data?.timezone ?? "UTC";
  const context = useMemo<ParseContext>(
    () => ({ timeZone, chemicals: new Map((chemicals.data?.items ?? []).map((chemical) => [chemical.id, chemical.name])) }),
    [timeZone, chemicals.data],
  );
  const columns = useMemo(
    () => runColumns(attributi.data?.items ?? [], experimentTypes.data?.items ?? [], context),
    [attributi.data, experimentTypes.data, context],
  );
  const columnsById = useMemo(() => new Map(columns.map((column) => [column.id, column])), [columns]);

  const [prefs, setPrefs] = useState<ColumnPrefs>(() => loadColumnPrefs(bt));
  const arranged = useMemo(() => arrangeColumns(columns.map((column) => column.id), prefs), [columns, prefs]);
  const visibleColumns = useMemo(() => arranged.visible.map((id) => columnsById.get(id)).filter((column): column is RunColumn => !!column), [arranged, columnsById]);
  const changePrefs = (next: ColumnPrefs) => {
    setPrefs(next);
    saveColumnPrefs(bt, next);
  };

  const items = runs.data?.items;
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const anchor = useRef<number | null>(null);
  useEffect(() => {
    // A bulk edit must only reach runs the person can see: a new filter starts a new selection.
    setSelected(new Set());
    anchor.current = null;
  }, [filter, ranges, date]);
  const select = useCallback(
    (number: number, extend: boolean) => {
      setSelected((previous) => {
        const next = new Set(previous);
        const list = items ?? [];
        const from = anchor.current === null ? -1 : list.findIndex((run) => run.number === anchor.current);
        const to = list.findIndex((run) => run.number === number);
        if (extend && from >= 0 && to >= 0) {
          // Shift-click selects everything between the last click and this one, as shown.
          const [first, last] = from < to ? [from, to] : [to, from];
          for (const run of list.slice(first, last + 1)) next.add(run.number);
        } else if (next.has(number)) next.delete(number);
        else next.add(number);
        return next;
      });
      anchor.current = number;
    },
    [items],
  );
  const selectAll = useCallback((all: boolean) => setSelected(all ? new Set((items ?? []).map((run) => run.number)) : new Set()), [items]);

  const [history, setHistory] = useState<number | null>(null);
  const onEdit = useCallback(
    (run: Run, column: RunColumn, value: unknown) => (column.attributo ? edit(run, { attributi: { [column.attributo.name]: value } }, column.attributo.name) : Promise.resolve()),
    [edit],
  );
  const onSort = useCallback((key: string) => setParams({ sort: nextSort(sort, key) === DEFAULT_SORT ? null : nextSort(sort, key) }), [setParams, sort]);

  const days = beamtime.data ? daysBetween(beamtime.data.start, beamtime.data.end, timeZone) : [];
  const filterMistake = queryMistake(runs.error, "filter");
  const rangeMistake = queryMistake(runs.error, "runs");
  const dateMistake = queryMistake(runs.error, "date");
  const otherError = runs.error && !filterMistake && !rangeMistake && !dateMistake ? runs.error : null;
  const historyRun = history === null ? undefined : items?.find((run) => run.number === history);

  return (
    <section className="runs-page">
      <div className="toolbar">
        <QueryInput
          label="Filter"
          wide
          value={filter}
          placeholder='e.g. sample == "lysozyme" and detector_distance >= 100'
          mistake={filterMistake}
          onApply={(value) => setParams({ filter: value })}
        />
        <QueryInput label="Runs" value={ranges} placeholder="e.g. 1-5,8" mistake={rangeMistake} onApply={(value) => setParams({ runs: value })} />
        <ColumnChooser
          columns={columnsById}
          order={arranged.order}
          visible={arranged.visible}
          onChange={(order, hidden) => changePrefs({ order, hidden })}
          onReset={() => changePrefs({ order: [], hidden: [] })}
        />
      </div>
      <div className="toolbar days" role="group" aria-label="Day">
        <button type="button" className={date === "" ? "chip active" : "chip"} onClick={() => setParams({ date: null })}>
          All days
        </button>
        {days.map((day) => (
          <button key={day} type="button" className={date === day ? "chip active" : "chip"} onClick={() => setParams({ date: day })}>
            {day}
          </button>
        ))}
        <input type="date" aria-label="Other day" value={days.includes(date) ? "" : date} onChange={(event) => setParams({ date: event.target.value })} />
        {dateMistake && <span className="field-error">{dateMistake.message}</span>}
        <span className="spacer" />
        <span className="muted" aria-live="polite">
          {!items ? (runs.isFetching ? "Loading runs…" : "") : runs.partial ? `first ${items.length} of ${runs.data?.total} runs, loading the rest…` : `${items.length} run${items.length === 1 ? "" : "s"}`}
        </span>
      </div>
      {selected.size > 0 && (
        <BulkEdit
          bt={bt}
          selected={selected}
          attributi={(attributi.data?.items ?? []).filter((a) => a.associated_table === "run")}
          experimentTypes={experimentTypes.data?.items ?? []}
          context={context}
          onClear={() => setSelected(new Set())}
        />
      )}
      {otherError ? <ProblemView error={otherError} title="Could not load the runs" /> : null}
      {attributi.error && !isProblem(attributi.error, 404) ? <ProblemView error={attributi.error} title="Could not load the attributi" /> : null}
      <div className="runs-body">
        <RunTable
          runs={items ?? []}
          columns={visibleColumns}
          sort={sort}
          context={context}
          selected={selected}
          onSort={onSort}
          onSelect={select}
          onSelectAll={selectAll}
          onHistory={setHistory}
          onEdit={onEdit}
        />
        {history !== null && <RunHistory bt={bt} number={history} version={historyRun?.version} timeZone={timeZone} onClose={() => setHistory(null)} />}
      </div>
      {dialog}
    </section>
  );
}
