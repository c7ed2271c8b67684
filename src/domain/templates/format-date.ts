/**
 * The `FormatDate` lambda: `date; timeZone; format`, defaults `UTC` and `YYYY-MM-DD hh:mma`.
 * Kibana formats with moment-timezone; casebridge uses `Intl` (no extra dependency) and
 * implements the moment tokens alert templates use. Tokens not listed in `tokens` below are
 * printed as written (moment prints unknown letters as written too); `[text]` is literal.
 */
const DEFAULT_FORMAT = 'YYYY-MM-DD hh:mma';
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface DateParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offset: number;
  epochMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone Intl does not know; formatters are cached, building one is slow. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    if (formatters.size > 200) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function partsIn(date: Date, timeZone: string): DateParts {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = values;
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const epochSeconds = Math.floor(date.getTime() / 1000) * 1000;
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hour,
    minute,
    second,
    millisecond: ((date.getTime() % 1000) + 1000) % 1000,
    offset: Math.round((wallClock - epochSeconds) / 60_000),
    epochMs: date.getTime(),
  };
}

const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');

function ordinal(day: number): string {
  const tens = day % 100;
  if (tens >= 11 && tens <= 13) return `${day}th`;
  return `${day}${['th', 'st', 'nd', 'rd'][day % 10] ?? 'th'}`;
}

function offsetText(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}${separator}${pad(Math.abs(minutes) % 60)}`;
}

const tokens: Record<string, (p: DateParts) => string> = {
  YYYY: (p) => String(p.year),
  YY: (p) => pad(p.year % 100),
  MMMM: (p) => monthNames[p.month - 1] ?? '',
  MMM: (p) => (monthNames[p.month - 1] ?? '').slice(0, 3),
  MM: (p) => pad(p.month),
  M: (p) => String(p.month),
  Do: (p) => ordinal(p.day),
  DD: (p) => pad(p.day),
  D: (p) => String(p.day),
  dddd: (p) => dayNames[p.weekday] ?? '',
  ddd: (p) => (dayNames[p.weekday] ?? '').slice(0, 3),
  d: (p) => String(p.weekday),
  HH: (p) => pad(p.hour),
  H: (p) => String(p.hour),
  hh: (p) => pad(p.hour % 12 || 12),
  h: (p) => String(p.hour % 12 || 12),
  mm: (p) => pad(p.minute),
  m: (p) => String(p.minute),
  ss: (p) => pad(p.second),
  s: (p) => String(p.second),
  SSS: (p) => pad(p.millisecond, 3),
  A: (p) => (p.hour < 12 ? 'AM' : 'PM'),
  a: (p) => (p.hour < 12 ? 'am' : 'pm'),
  ZZ: (p) => offsetText(p.offset, ''),
  Z: (p) => offsetText(p.offset, ':'),
  X: (p) => String(Math.floor(p.epochMs / 1000)),
  x: (p) => String(p.epochMs),
};

/** Longest tokens first so `MMMM` wins over `MM`; `[...]` is copied without its brackets. */
const tokenPattern =
  /\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x/g;

export function formatDateParts(date: Date, timeZone: string, format: string): string {
  const parts = partsIn(date, timeZone);
  return format.replace(tokenPattern, (match, literal: string | undefined) =>
    literal !== undefined ? literal : (tokens[match]?.(parts) ?? match),
  );
}

/** Parses what FormatDate accepts: any `Date.parse` form, or epoch milliseconds as digits. */
function parseDate(text: string): Date {
  return /^-?\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
}

/**
 * The lambda body: returns the formatted date, or the error text (never throws).
 *
 * @example formatDate('2022-11-29T15:52:44Z') // '2022-11-29 03:52pm'
 */
export function formatDate(input: string): { ok: true; text: string } | { ok: false; error: string } {
  const [rawDate = '', rawZone = '', ...rest] = input.split(';');
  const dateText = rawDate.trim();
  const timeZone = rawZone.trim() || 'UTC';
  // The format may itself contain semicolons; everything after the second one belongs to it.
  const format = rest.join(';').trim() || DEFAULT_FORMAT;
  if (dateText === '') return { ok: false, error: 'date is empty' };
  const date = parseDate(dateText);
  if (Number.isNaN(date.getTime())) return { ok: false, error: `invalid date "${dateText}"` };
  try {
    formatterFor(timeZone);
  } catch {
    return { ok: false, error: `unknown timeZone value "${timeZone}"` };
  }
  return { ok: true, text: formatDateParts(date, timeZone, format) };
}
