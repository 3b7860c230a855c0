/**
 * Times are shown in the beamtime's time zone (not the browser's): a team spread over sites
 * must agree on what "run at 14:03" and "the 22nd" mean.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** `2026-11-22 14:03:05` in the zone. */
export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "";
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const c = wallClock(instant, timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
}

/** `YYYY-MM-DD` of the instant in the zone: the day buckets of the run table's day filter. */
export function dayOf(iso: string, timeZone: string): string {
  const c = wallClock(new Date(iso), timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)}`;
}

/** The value of an `<input type="datetime-local">` showing the instant in the zone. */
export function toLocalInput(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "";
  const c = wallClock(new Date(iso), timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
}

/**
 * The instant at which the zone's clocks show `local` (`YYYY-MM-DDTHH:MM[:SS]`), as ISO 8601
 * UTC; null when `local` is not a wall-clock time. Found by correcting a first guess with the
 * zone's offset twice, which settles also next to daylight-saving switches.
 */
export function fromLocalInput(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const wanted = Date.UTC(year!, month! - 1, day!, hour!, minute!, second ?? 0);
  let guess = wanted;
  for (let round = 0; round < 2; round += 1) {
    const shown = wallClock(new Date(guess), timeZone);
    const shownAsUtc = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second);
    guess += wanted - shownAsUtc;
  }
  return new Date(guess).toISOString();
}

/** `1:02:03` or `2 d 1:02:03`: the running time of a run. */
export function formatDuration(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const clock = `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? `${days} d ${clock}` : clock;
}

/** Every day from the first to the last instant, in the zone (for the day filter buttons). */
export function daysBetween(startIso: string, endIso: string, timeZone: string, limit = 60): string[] {
  const days: string[] = [];
  const last = dayOf(endIso, timeZone);
  let cursor = new Date(startIso).getTime();
  while (days.length < limit) {
    const day = dayOf(new Date(cursor).toISOString(), timeZone);
    if (days[days.length - 1] !== day) days.push(day);
    if (day >= last) break;
    cursor += 6 * 3600 * 1000;
  }
  return days;
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
