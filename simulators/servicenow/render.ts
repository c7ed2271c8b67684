// Turns stored rows into Table API output: sysparm_fields, sysparm_display_value (false/true/all)
// and reference-link objects unless sysparm_exclude_reference_link is set.
import type { TableDef } from './schema-tables.js';
import type { SimDatabase } from './store.js';
import type { SnRecord } from './types.js';

export type DisplayMode = 'false' | 'true' | 'all';

export interface RenderOptions {
  display: DisplayMode;
  excludeReferenceLink: boolean;
  /** Requested columns (unknown names ignored); undefined for all. */
  fields: string[] | undefined;
  baseUrl: string;
  /** With display "false", show the newest journal entry instead of "". */
  journalLatest?: boolean;
}

type Out = Record<string, unknown>;

export function parseDisplayMode(raw: string | null): DisplayMode {
  const v = (raw ?? 'false').toLowerCase();
  return v === 'true' || v === 'all' ? v : 'false';
}

export function renderRecord(db: SimDatabase, def: TableDef, rec: SnRecord, opts: RenderOptions): Out {
  const out: Out = {};
  const list = opts.fields
    ? opts.fields.map((n) => def.byElement.get(n)).filter((f) => f !== undefined)
    : def.fields;
  for (const f of list) {
    const value = rec[f.element] ?? '';
    if (f.type === 'journal_input') {
      // The record itself keeps no journal text; display values show the history, newest first.
      const latest = opts.journalLatest ? (db.journalOf(rec.sys_id ?? '', f.element)[0]?.value ?? '') : '';
      const text = opts.display === 'false' ? latest : journalText(db, rec, f.element, f.label);
      out[f.element] = opts.display === 'all' ? { display_value: text, value: latest } : text;
      continue;
    }
    if (f.reference !== undefined && value !== '') {
      out[f.element] = referenceOut(db, f.reference, value, opts);
      continue;
    }
    if (opts.display === 'false') {
      out[f.element] = value;
      continue;
    }
    const display = db.choiceLabel(def.name, f.element, value) ?? value;
    out[f.element] = opts.display === 'all' ? { display_value: display, value } : display;
  }
  return out;
}

function referenceOut(db: SimDatabase, table: string, value: string, opts: RenderOptions): unknown {
  const link = `${opts.baseUrl}/api/now/table/${table}/${value}`;
  if (opts.display === 'false') return opts.excludeReferenceLink ? value : { link, value };
  const display = db.displayOf(table, value);
  if (opts.display === 'true') return opts.excludeReferenceLink ? display : { display_value: display, link };
  return opts.excludeReferenceLink
    ? { display_value: display, value }
    : { display_value: display, link, value };
}

function journalText(db: SimDatabase, rec: SnRecord, element: string, label: string): string {
  const entries = db.journalOf(rec.sys_id ?? '', element);
  return entries
    .map((e) => {
      const who = db.resolveReference('sys_user', e.sys_created_by ?? '');
      const name = who ? db.displayOf('sys_user', who) : (e.sys_created_by ?? '');
      return `${e.sys_created_on} - ${name} (${label})\n${e.value}\n\n`;
    })
    .join('');
}
