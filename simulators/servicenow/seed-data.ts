// Reference data a fresh developer instance would have: people, groups, CIs and business services
// (names in the style of ServiceNow's demo data), choice lists and dictionary entries. Seeded rows
// get stable sys_ids (seedSysId) so tests and demo configs can point at them.
import { seedSysId } from './clock-ids.js';
import { choiceSeeds } from './seed-choices.js';
import type { SimDatabase } from './store.js';
import type { CloseCodeSet, SimUser } from './types.js';

const PEOPLE: [user_name: string, first: string, last: string, title: string][] = [
  ['abel.tuter', 'Abel', 'Tuter', 'Sales Manager'],
  ['beth.anglin', 'Beth', 'Anglin', 'Service Desk Analyst'],
  ['david.loo', 'David', 'Loo', 'Network Engineer'],
  ['fred.luddy', 'Fred', 'Luddy', 'Security Analyst'],
  ['bud.richman', 'Bud', 'Richman', 'Database Administrator'],
];

const GROUPS: [name: string, description: string][] = [
  ['Service Desk', 'First line support'],
  ['Network', 'Routers, switches, VPN and wireless'],
  ['Database', 'Database administration'],
  ['Hardware', 'Desktop and server hardware'],
  ['Software', 'Business applications'],
  ['Security Incident Response', 'SecOps analysts handling security incidents'],
];

const CIS: [name: string, ip: string, description: string][] = [
  ['host-a', '10.0.0.11', 'Linux web server'],
  ['lnux100', '10.0.0.100', 'Linux application server'],
  ['EXCH-SD-05', '10.0.1.5', 'Exchange mail server'],
  ['sql-prod-01', '10.0.2.1', 'Production SQL Server'],
  ['Identity Security Insights', '', 'BeyondTrust Insights tenant'],
];

const SERVICES: [name: string, description: string][] = [
  ['Email', 'Corporate email'],
  ['SAP Enterprise Services', 'SAP ERP'],
  ['IT Services', 'Shared IT services'],
  ['Elastic Stack', 'Observability and security analytics'],
];

/** The sys_id a seeded or configured user gets. */
export function userSysId(user: SimUser): string {
  return user.sys_id ?? seedSysId('sys_user', user.user_name);
}

export function seedUsers(db: SimDatabase, users: SimUser[]): void {
  for (const u of users) {
    const [first, ...rest] = (u.name ?? u.user_name).split(' ');
    db.seed('sys_user', {
      sys_id: userSysId(u),
      user_name: u.user_name,
      name: u.name ?? u.user_name,
      first_name: first ?? '',
      last_name: rest.join(' '),
      email: u.email ?? `${u.user_name}@example.com`,
      active: u.active === false ? 'false' : 'true',
      roles: u.roles.join(','),
    });
  }
}

export function seedReferenceData(db: SimDatabase, closeCodes: CloseCodeSet): void {
  for (const [user_name, first, last, title] of PEOPLE) {
    db.seed('sys_user', {
      sys_id: seedSysId('sys_user', user_name),
      user_name,
      first_name: first,
      last_name: last,
      name: `${first} ${last}`,
      title,
      email: `${user_name}@example.com`,
      active: 'true',
    });
  }
  for (const [name, description] of GROUPS) {
    db.seed('sys_user_group', {
      sys_id: seedSysId('sys_user_group', name),
      name,
      description,
      active: 'true',
      email: `${name.toLowerCase().replaceAll(' ', '-')}@example.com`,
    });
  }
  for (const [name, ip, description] of CIS) {
    db.seed('cmdb_ci', {
      sys_id: seedSysId('cmdb_ci', name),
      name,
      ip_address: ip,
      short_description: description,
      operational_status: '1',
    });
  }
  for (const [name, description] of SERVICES) {
    db.seed('cmdb_ci_service', {
      sys_id: seedSysId('cmdb_ci_service', name),
      name,
      short_description: description,
      operational_status: '1',
    });
  }
  for (const name of ['casebridge', 'security']) {
    db.seed('label', {
      sys_id: seedSysId('label', name),
      name,
      viewable_by: 'everyone',
      type: 'standard',
      active: 'true',
    });
  }
  seedChoices(db, closeCodes);
}

export function seedChoices(db: SimDatabase, closeCodes: CloseCodeSet): void {
  let sequence = 0;
  for (const c of choiceSeeds(closeCodes)) {
    db.seed('sys_choice', {
      sys_id: seedSysId('sys_choice', c.name, c.element, c.value, c.dependent_value ?? ''),
      name: c.name,
      element: c.element,
      value: c.value,
      label: c.label,
      dependent_value: c.dependent_value ?? '',
      language: 'en',
      inactive: 'false',
      sequence: String(sequence++ % 100),
    });
  }
}

/** One sys_dictionary row per column, listed under the table that defines it (task for inherited). */
export function seedDictionary(db: SimDatabase): void {
  const seen = new Set<string>();
  for (const def of db.tables.values()) {
    for (const f of def.fields) {
      const name = f.definedOn;
      const key = `${name}.${f.element}`;
      if (seen.has(key)) continue;
      seen.add(key);
      db.seed('sys_dictionary', {
        sys_id: seedSysId('sys_dictionary', key),
        name,
        element: f.element,
        column_label: f.label,
        internal_type: f.type,
        max_length: String(f.maxLength),
        mandatory: f.mandatory ? 'true' : 'false',
        read_only: f.readOnly ? 'true' : 'false',
        active: 'true',
        array: 'false',
        reference: f.reference ?? '',
      });
    }
  }
}
