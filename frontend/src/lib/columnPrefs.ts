/**
 * Which run-table columns a person sees and in which order, remembered per beamtime in this
 * browser (localStorage): a beamline computer keeps its layout across reloads and days.
 */
export interface ColumnPrefs {
  order: string[];
  hidden: string[];
}

const EMPTY: ColumnPrefs = { order: [], hidden: [] };

export function storageKey(beamtimeId: number): string {
  return `amarcord:run-columns:${beamtimeId}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

export function loadColumnPrefs(beamtimeId: number, storage: Storage | undefined = globalThis.localStorage): ColumnPrefs {
  try {
    const raw = storage?.getItem(storageKey(beamtimeId));
    if (!raw) return EMPTY;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return EMPTY;
    const { order, hidden } = parsed as Record<string, unknown>;
    return { order: isStringArray(order) ? order : [], hidden: isStringArray(hidden) ? hidden : [] };
  } catch {
    // Unreadable or disabled storage (private mode): start from the default layout.
    return EMPTY;
  }
}

export function saveColumnPrefs(
  beamtimeId: number,
  prefs: ColumnPrefs,
  storage: Storage | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(storageKey(beamtimeId), JSON.stringify(prefs));
  } catch {
    // A full or disabled storage only costs the remembered layout.
  }
}

/**
 * The columns to show, in order: the remembered order for the columns that still exist,
 * then new columns (a freshly defined attributo) at the end, visible.
 */
export function arrangeColumns(available: readonly string[], prefs: ColumnPrefs): { order: string[]; visible: string[] } {
  const exists = new Set(available);
  const known = prefs.order.filter((id) => exists.has(id));
  const remembered = new Set(known);
  const order = [...known, ...available.filter((id) => !remembered.has(id))];
  const hidden = new Set(prefs.hidden);
  return { order, visible: order.filter((id) => !hidden.has(id)) };
}

/** `order` with `id` moved `delta` places (clamped to the ends). */
export function moveColumn(order: readonly string[], id: string, delta: number): string[] {
  const from = order.indexOf(id);
  if (from < 0) return [...order];
  const to = Math.min(order.length - 1, Math.max(0, from + delta));
  const next = [...order];
  next.splice(from, 1);
  next.splice(to, 0, id);
  return next;
}

export function toggleColumn(prefs: ColumnPrefs, order: readonly string[], id: string, visible: boolean): ColumnPrefs {
  const hidden = new Set(prefs.hidden);
  if (visible) hidden.delete(id);
  else hidden.add(id);
  return { order: [...order], hidden: [...hidden] };
}
