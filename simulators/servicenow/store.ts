// The in-memory database: one Map of rows per table, in insertion order, plus the lookups that
// display values and reference resolution need. No business rules here (see writes.ts).
import { glideNow, isSysId, newSysId, NumberSequence } from './clock-ids.js';
import type { TableDef } from './schema-tables.js';
import type { SnRecord } from './types.js';

export class SimDatabase {
  readonly numbers = new NumberSequence();
  private readonly rows = new Map<string, Map<string, SnRecord>>();
  /** Insertion order across all tables: the tie-breaker when ORDERBY values are equal. */
  private readonly order = new Map<string, number>();
  private nextOrder = 0;
  /** Empty row per table: stored rows are sparse (a never-written column is absent), and `full` fills them. */
  private readonly templates = new Map<string, SnRecord>();
  private choiceIndex: Map<string, Map<string, string>> | undefined;
  /** Journal entries by the sys_id of the record they belong to, so reads need no table scan. */
  private readonly journal = new Map<string, SnRecord[]>();

  constructor(readonly tables: Map<string, TableDef>) {
    for (const def of tables.values()) {
      this.rows.set(def.name, new Map());
      const template: SnRecord = {};
      for (const f of def.fields) template[f.element] = '';
      template.sys_class_name = def.name;
      template.sys_domain = 'global';
      template.sys_mod_count = '0';
      this.templates.set(def.name, template);
    }
  }

  def(table: string): TableDef | undefined {
    return this.tables.get(table);
  }

  get(table: string, sysId: string): SnRecord | undefined {
    return this.rows.get(table)?.get(sysId);
  }

  all(table: string): IterableIterator<SnRecord> {
    const rows = this.rows.get(table);
    return (rows ?? new Map<string, SnRecord>()).values();
  }

  count(table: string): number {
    return this.rows.get(table)?.size ?? 0;
  }

  orderOf(sysId: string): number {
    return this.order.get(sysId) ?? 0;
  }

  /**
   * A new row with its system columns stamped; callers fill in the rest and then `put` it. Rows are
   * sparse because copying every empty column on each insert was the largest cost of the create path.
   */
  blank(table: string, user: string, sysId?: string): SnRecord {
    if (!this.tables.has(table)) throw new Error(`no table ${table}`);
    const now = glideNow();
    return {
      sys_id: sysId && isSysId(sysId) ? sysId : newSysId(),
      sys_created_on: now,
      sys_created_by: user,
      sys_updated_on: now,
      sys_updated_by: user,
      sys_mod_count: '0',
      sys_class_name: table,
      sys_domain: 'global',
    };
  }

  /** A copy of a row with every column present ("" for never-written ones), as the API shows it. */
  full(table: string, rec: SnRecord): SnRecord {
    return { ...this.templates.get(table), ...rec };
  }

  put(table: string, rec: SnRecord): SnRecord {
    const rows = this.rows.get(table);
    if (!rows) throw new Error(`no table ${table}`);
    const id = rec.sys_id ?? '';
    if (!this.order.has(id)) {
      this.order.set(id, this.nextOrder++);
      if (table === 'sys_journal_field') this.indexJournal(rec);
    }
    rows.set(id, rec);
    if (table === 'sys_choice') this.choiceIndex = undefined;
    return rec;
  }

  /** Inserts a seed row given as plain values; unknown columns are dropped as on any insert. */
  seed(table: string, values: Record<string, string>, user = 'system'): SnRecord {
    const rec = this.blank(table, user, values.sys_id);
    const def = this.tables.get(table);
    for (const [k, v] of Object.entries(values)) if (def?.byElement.has(k) && k !== 'sys_id') rec[k] = v;
    return this.put(table, rec);
  }

  delete(table: string, sysId: string): boolean {
    const rec = this.rows.get(table)?.get(sysId);
    const deleted = this.rows.get(table)?.delete(sysId) ?? false;
    if (rec && table === 'sys_journal_field') {
      const list = this.journal.get(rec.element_id ?? '');
      if (list)
        this.journal.set(
          rec.element_id ?? '',
          list.filter((e) => e !== rec),
        );
    }
    if (deleted) this.order.delete(sysId);
    if (deleted && table === 'sys_choice') this.choiceIndex = undefined;
    return deleted;
  }

  clear(): void {
    for (const rows of this.rows.values()) rows.clear();
    this.order.clear();
    this.journal.clear();
    this.numbers.reset();
    this.choiceIndex = undefined;
  }

  /** Journal entries of a record for one element, newest first (the order the form shows). */
  journalOf(recordId: string, element: string): SnRecord[] {
    const list = this.journal.get(recordId) ?? [];
    return list.filter((e) => e.element === element).reverse();
  }

  private indexJournal(rec: SnRecord): void {
    const key = rec.element_id ?? '';
    const list = this.journal.get(key);
    if (list) list.push(rec);
    else this.journal.set(key, [rec]);
  }

  /** The display value of a referenced record ("" when it does not exist). */
  displayOf(table: string, sysId: string): string {
    const def = this.tables.get(table);
    const rec = this.rows.get(table)?.get(sysId);
    return def && rec ? (rec[def.displayField] ?? '') : '';
  }

  /**
   * Resolves a reference value the way a GlideRecord assignment does: a sys_id of an existing row
   * wins, otherwise a row whose display value (or, for users, user_name/email) equals the text.
   */
  resolveReference(table: string, value: string): string | undefined {
    const rows = this.rows.get(table);
    const def = this.tables.get(table);
    if (!rows || !def) return undefined;
    if (rows.has(value)) return value;
    for (const rec of rows.values()) {
      if (rec[def.displayField] === value) return rec.sys_id;
      if (table === 'sys_user' && (rec.user_name === value || rec.email === value)) return rec.sys_id;
    }
    return undefined;
  }

  /** Choice label for a value, looking at the table's own list first, then task's. */
  choiceLabel(table: string, element: string, value: string): string | undefined {
    const index = this.choices();
    return index.get(`${table}.${element}`)?.get(value) ?? index.get(`task.${element}`)?.get(value);
  }

  /** Whether the table (or task) has a choice list for the element, and the value for a label. */
  choiceList(table: string, element: string): Map<string, string> | undefined {
    const index = this.choices();
    return index.get(`${table}.${element}`) ?? index.get(`task.${element}`);
  }

  private choices(): Map<string, Map<string, string>> {
    if (this.choiceIndex) return this.choiceIndex;
    const index = new Map<string, Map<string, string>>();
    for (const c of this.all('sys_choice')) {
      if (c.inactive === 'true') continue;
      const key = `${c.name}.${c.element}`;
      let values = index.get(key);
      if (!values) index.set(key, (values = new Map()));
      if (c.value !== undefined && !values.has(c.value)) values.set(c.value, c.label ?? '');
    }
    this.choiceIndex = index;
    return index;
  }
}
