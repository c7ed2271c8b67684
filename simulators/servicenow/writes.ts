// Insert and update with the platform's write semantics: unknown columns and system columns are
// ignored, values are coerced to strings, over-long strings are cut to the dictionary max_length,
// references resolve by sys_id or display value, journal columns append to sys_journal_field, and
// the task business rules run before the row is stored.
import { glideNow } from './clock-ids.js';
import { applyBusinessRules, applyInsertDefaults, checkWritable, type Actor } from './lifecycle.js';
import type { FieldDef } from './schema-fields.js';
import type { TableDef } from './schema-tables.js';
import type { SimDatabase } from './store.js';
import type { SnRecord } from './types.js';

export interface WriteOptions {
  actor: Actor;
  /** sysparm_input_display_value: values are labels and display values, not stored values. */
  inputDisplayValue: boolean;
  strictChoices: boolean;
}

type JournalWrite = [element: string, text: string];

export function insertRecord(
  db: SimDatabase,
  def: TableDef,
  input: Record<string, unknown>,
  opts: WriteOptions,
): SnRecord {
  const requestedId = typeof input.sys_id === 'string' ? input.sys_id : undefined;
  const rec = db.blank(def.name, opts.actor.user_name, requestedId);
  if (db.get(def.name, rec.sys_id ?? '')) rec.sys_id = db.blank(def.name, opts.actor.user_name).sys_id ?? '';
  applyInsertDefaults(db, def, rec, opts.actor);
  const journal = assign(db, def, rec, input, opts);
  applyBusinessRules(db, def, rec, undefined, opts.actor, opts);
  db.put(def.name, rec);
  writeJournal(db, def, rec, journal, opts.actor);
  return rec;
}

export function updateRecord(
  db: SimDatabase,
  def: TableDef,
  before: SnRecord,
  input: Record<string, unknown>,
  opts: WriteOptions,
): SnRecord {
  checkWritable(def, before, opts.actor);
  const rec: SnRecord = { ...before };
  const journal = assign(db, def, rec, input, opts);
  applyBusinessRules(db, def, rec, before, opts.actor, opts);
  rec.sys_updated_on = glideNow();
  rec.sys_updated_by = opts.actor.user_name;
  rec.sys_mod_count = String(Number(before.sys_mod_count ?? '0') + 1);
  db.put(def.name, rec);
  writeJournal(db, def, rec, journal, opts.actor);
  return rec;
}

function assign(
  db: SimDatabase,
  def: TableDef,
  rec: SnRecord,
  input: Record<string, unknown>,
  opts: WriteOptions,
): JournalWrite[] {
  const journal: JournalWrite[] = [];
  for (const key in input) {
    const f = def.byElement.get(key);
    if (!f || f.readOnly) continue;
    const text = toText(input[key], f);
    if (f.type === 'journal_input') {
      if (text.trim() !== '') journal.push([key, text.slice(0, f.maxLength)]);
      continue;
    }
    const value = coerce(db, def, f, text, opts.inputDisplayValue);
    if (value !== undefined) rec[key] = value;
  }
  return journal;
}

/** JSON values to the string the platform would store. */
function toText(value: unknown, f: FieldDef): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => toText(v, f)).join(',');
  if (typeof value === 'object') {
    // Reference objects as the API itself returns them ({link, value} / {display_value, value}).
    const obj = value as Record<string, unknown>;
    for (const k of ['value', 'sys_id', 'display_value']) if (typeof obj[k] === 'string') return obj[k];
  }
  return JSON.stringify(value);
}

/** The stored value, or undefined to leave the column as it was (a value the type cannot hold). */
function coerce(
  db: SimDatabase,
  def: TableDef,
  f: FieldDef,
  text: string,
  inputDisplay: boolean,
): string | undefined {
  if (text === '') return '';
  switch (f.type) {
    case 'reference': {
      const resolved = db.resolveReference(f.reference ?? '', text);
      // An unresolvable value is stored as is, which the platform also does (a broken reference).
      return resolved ?? text;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return 'true';
      if (lower === 'false' || lower === '0') return 'false';
      return undefined;
    }
    case 'integer':
    case 'decimal': {
      const fromLabel = inputDisplay ? labelToValue(db, def, f, text) : undefined;
      if (fromLabel !== undefined) return fromLabel;
      return Number.isNaN(Number(text)) ? undefined : text;
    }
    default: {
      const value = inputDisplay ? (labelToValue(db, def, f, text) ?? text) : text;
      return value.length > f.maxLength ? value.slice(0, f.maxLength) : value;
    }
  }
}

function labelToValue(db: SimDatabase, def: TableDef, f: FieldDef, label: string): string | undefined {
  const choices = db.choiceList(def.name, f.element);
  if (!choices) return undefined;
  if (choices.has(label)) return label;
  for (const [value, l] of choices) if (l.toLowerCase() === label.toLowerCase()) return value;
  return undefined;
}

function writeJournal(
  db: SimDatabase,
  def: TableDef,
  rec: SnRecord,
  writes: JournalWrite[],
  actor: Actor,
): void {
  for (const [element, value] of writes) {
    const entry = db.blank('sys_journal_field', actor.user_name);
    Object.assign(entry, { name: def.name, element, element_id: rec.sys_id ?? '', value });
    db.put('sys_journal_field', entry);
  }
}
