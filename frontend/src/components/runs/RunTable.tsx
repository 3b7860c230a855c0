import { getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useMemo, useRef, useState, type MouseEvent } from "react";
import type { Run } from "../../api/types";
import type { ParseContext } from "../../lib/attributoValues";
import { sortDirection, type RunColumn } from "../../lib/runColumns";
import { AttributoEditor } from "../AttributoEditor";

const ROW_HEIGHT = 30;
const SELECT_WIDTH = 36;
const NUMBER_WIDTH = 80;

function cellWidth(column: RunColumn): number {
  return column.attributo ? 150 : 170;
}

interface Props {
  runs: readonly Run[];
  columns: readonly RunColumn[];
  sort: string;
  context: ParseContext;
  selected: ReadonlySet<number>;
  onSort(sortKey: string): void;
  onSelect(number: number, extend: boolean): void;
  onSelectAll(select: boolean): void;
  onHistory(number: number): void;
  onEdit(run: Run, column: RunColumn, value: unknown): Promise<void>;
}

interface Editing {
  number: number;
  column: string;
}

/**
 * Every run of the listing in one scrolling table. Only the rows in view are rendered
 * (react-virtual), so ten thousand runs scroll as smoothly as ten; react-table keeps the
 * column model (order, visibility, ids).
 */
export function RunTable({ runs, columns, sort, context, selected, onSort, onSelect, onSelectAll, onHistory, onEdit }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const startEdit = useCallback((number: number, column: string) => setEditing({ number, column }), []);
  const stopEdit = useCallback(() => setEditing(null), []);

  const definitions = useMemo<ColumnDef<Run>[]>(
    () => columns.map((column) => ({ id: column.id, header: column.header, accessorFn: (run: Run) => column.text(run), size: cellWidth(column) })),
    [columns],
  );
  const table = useReactTable({
    data: runs as Run[],
    columns: definitions,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (run) => String(run.number),
    manualSorting: true,
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  // Thirty attributi make rows several screens wide: only the columns in view are rendered.
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => cellWidth(columns[index] as RunColumn),
    scrollMargin: SELECT_WIDTH + NUMBER_WIDTH,
    overscan: 2,
  });
  const virtualColumns = columnVirtualizer.getVirtualItems();
  const columnWindow = virtualColumns.map((column) => column.index).join(",");
  const shown = useMemo(
    () => ({
      columns: columnWindow === "" ? [] : columnWindow.split(",").map((index) => columns[Number(index)] as RunColumn),
      offset: virtualColumns[0] ? virtualColumns[0].start - SELECT_WIDTH - NUMBER_WIDTH : 0,
    }),
    // The window's indexes decide; the virtual items are new objects on every scroll.
    [columnWindow, columns],
  );
  const byId = useMemo(() => new Map(columns.map((column) => [column.id, column])), [columns]);
  const allSelected = useMemo(() => runs.length > 0 && runs.every((run) => selected.has(run.number)), [runs, selected]);
  const width = SELECT_WIDTH + NUMBER_WIDTH + definitions.reduce((sum, column) => sum + (column.size ?? 150), 0);

  // Rows are positioned absolutely inside a body as tall as all rows together: scrolling then
  // moves a few dozen rows instead of laying out a table of thousands.
  return (
    <div className="run-table-scroll" ref={scroller} data-testid="run-table">
      <table className="grid run-table" style={{ width }} aria-rowcount={runs.length}>
        <thead>
          <tr>
            <th style={{ width: SELECT_WIDTH }}>
              <input type="checkbox" aria-label="Select all runs" checked={allSelected} onChange={(event) => onSelectAll(event.target.checked)} />
            </th>
            <SortHeader label="Run" sortKey="number" sort={sort} width={NUMBER_WIDTH} onSort={onSort} />
            {shown.offset > 0 && <th className="spacer-cell" style={{ width: shown.offset }} aria-hidden />}
            {shown.columns.map((column) => {
              const header = table.getColumn(column.id);
              return header && byId.has(column.id) ? <SortHeader key={column.id} label={column.header} sortKey={column.sortKey} sort={sort} width={header.getSize()} onSort={onSort} /> : null;
            })}
          </tr>
        </thead>
        <tbody style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const run = row.original;
            return (
              <RunRow
                key={row.id}
                run={run}
                top={item.start}
                columns={shown.columns}
                offset={shown.offset}
                context={context}
                selected={selected.has(run.number)}
                editing={editing?.number === run.number ? editing.column : null}
                onSelect={onSelect}
                onHistory={onHistory}
                onStartEdit={startEdit}
                onStopEdit={stopEdit}
                onEdit={onEdit}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function SortHeader({ label, sortKey, sort, width, onSort }: { label: string; sortKey: string; sort: string; width: number; onSort(key: string): void }) {
  const direction = sortDirection(sort, sortKey);
  return (
    <th style={{ width }} aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"}>
      <button type="button" className="sort" onClick={() => onSort(sortKey)} title={`Sort by ${label}`}>
        {label}
        {direction === "asc" ? " ▲" : direction === "desc" ? " ▼" : ""}
      </button>
    </th>
  );
}

interface RowProps {
  run: Run;
  top: number;
  /** Width of the columns left of the rendered ones. */
  offset: number;
  columns: readonly RunColumn[];
  context: ParseContext;
  selected: boolean;
  editing: string | null;
  onSelect(number: number, extend: boolean): void;
  onHistory(number: number): void;
  onStartEdit(number: number, column: string): void;
  onStopEdit(): void;
  onEdit(run: Run, column: RunColumn, value: unknown): Promise<void>;
}

/** A row re-renders only when its run, its selection or its editing state changes. */
const RunRow = memo(function RunRow({ run, top, offset, columns, context, selected, editing, onSelect, onHistory, onStartEdit, onStopEdit, onEdit }: RowProps) {
  const className = [selected ? "selected" : "", run.stopped === null ? "running" : ""].join(" ").trim() || undefined;
  return (
    <tr className={className} data-run={run.number} style={{ transform: `translateY(${top}px)` }}>
      <td style={{ width: SELECT_WIDTH }}>
        <input
          type="checkbox"
          aria-label={`Select run ${run.number}`}
          checked={selected}
          onChange={() => undefined}
          onClick={(event: MouseEvent<HTMLInputElement>) => onSelect(run.number, event.shiftKey)}
        />
      </td>
      <td style={{ width: NUMBER_WIDTH }}>
        <button type="button" className="link-button" title="Show the history of this run" onClick={() => onHistory(run.number)}>
          {run.number}
        </button>
      </td>
      {offset > 0 && <td className="spacer-cell" style={{ width: offset }} aria-hidden />}
      {columns.map((column) => {
        const attributo = column.attributo;
        if (attributo && editing === column.id) {
          return (
            <td key={column.id} className="editing" data-column={column.header} style={{ width: cellWidth(column) }}>
              <AttributoEditor
                type={attributo.type}
                value={run.attributi[attributo.name]}
                context={context}
                label={`${attributo.name} of run ${run.number}`}
                onCancel={onStopEdit}
                onCommit={async (value) => {
                  await onEdit(run, column, value);
                  onStopEdit();
                }}
              />
            </td>
          );
        }
        const text = column.text(run);
        return (
          <td
            key={column.id}
            className={attributo ? "editable" : undefined}
            data-column={column.header}
            style={{ width: cellWidth(column) }}
            title={text}
            tabIndex={attributo ? 0 : undefined}
            onDoubleClick={attributo ? () => onStartEdit(run.number, column.id) : undefined}
            onKeyDown={attributo ? (event) => event.key === "Enter" && onStartEdit(run.number, column.id) : undefined}
          >
            {text}
          </td>
        );
      })}
    </tr>
  );
});
