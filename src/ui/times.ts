/**
 * Time columns at a terminal: ISO-8601 UTC instants shortened to what tells the rows apart. When
 * every instant falls on one day the date is said once, above the table, and each cell shows the
 * time (`13:36:58`, or `13:36:58.551` when two rows share a second); otherwise each cell shows the
 * date too (`2026-12-05 23:59:58`). Seconds are always shown. Pure.
 */

/** `2026-12-06T13:36:58.551Z` (or `+00:00`): date, time to the second, optional fraction. */
const ISO_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(?:Z|[+-]00:?00)$/;

export interface Instant {
  date: string;
  /** HH:MM:SS */
  time: string;
  /** The digits after the second, as written ('' when none). */
  fraction: string;
}

export function parseInstant(value: unknown): Instant | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_UTC.exec(value);
  if (!match) return undefined;
  return { date: match[1] as string, time: match[2] as string, fraction: match[3] ?? '' };
}

/** How one time column is shown. */
export interface TimeFormat {
  /** Digits of the second's fraction to show: 0, or enough to tell apart two rows in one second. */
  fraction: number;
  /** Show the date in each cell (the rows span more than one day). */
  withDate: boolean;
}

/**
 * The format for a column of instants: fraction digits only when two different instants share a
 * second, and then as few as tell them apart (at least 3, milliseconds).
 */
export function timeFormatOf(instants: Instant[], withDate: boolean): TimeFormat {
  const bySecond = new Map<string, Set<string>>();
  for (const instant of instants) {
    const second = `${instant.date}T${instant.time}`;
    const fractions = bySecond.get(second) ?? new Set<string>();
    fractions.add(instant.fraction.replace(/0+$/, ''));
    bySecond.set(second, fractions);
  }
  let fraction = 0;
  for (const fractions of bySecond.values()) {
    if (fractions.size < 2) continue;
    const longest = Math.max(...[...fractions].map((digits) => digits.length));
    // The fewest digits (3, 6 or 9) that keep these fractions apart.
    for (const digits of [3, 6, 9]) {
      const cut = new Set([...fractions].map((text) => text.padEnd(digits, '0').slice(0, digits)));
      if (cut.size === fractions.size || digits >= longest) {
        fraction = Math.max(fraction, digits);
        break;
      }
    }
  }
  return { fraction, withDate };
}

export function formatInstant(instant: Instant, format: TimeFormat): string {
  const fraction =
    format.fraction > 0 ? `.${instant.fraction.padEnd(format.fraction, '0').slice(0, format.fraction)}` : '';
  return `${format.withDate ? `${instant.date} ` : ''}${instant.time}${fraction}`;
}

/** The one date every instant falls on, or undefined when they span days (or there are none). */
export function sharedDate(instants: Iterable<Instant>): string | undefined {
  let date: string | undefined;
  for (const instant of instants) {
    if (date === undefined) date = instant.date;
    else if (instant.date !== date) return undefined;
  }
  return date;
}

/** The line above a table whose times are all on one day. */
export function dateHeading(date: string): string {
  return `${date} (times UTC)`;
}
