import type { Migration } from 'kysely';
import * as m0001 from './0001-init.js';
import * as m0002 from './0002-deliveries.js';
import * as m0003 from './0003-cases.js';
import * as m0004 from './0004-alerts.js';

/**
 * Every migration, in order. Imported statically (not read from disk) so the compiled package
 * and the tests see the same list. Add new ones at the end; never edit a released one.
 */
export const migrations: Record<string, Migration> = {
  '0001-init': m0001,
  '0002-deliveries': m0002,
  '0003-cases': m0003,
  '0004-alerts': m0004,
};
