// Default logins and OAuth client. Demo mode (`casebridge serve --demo`) preconfigures its
// connectors from this description, and tests use the same names, so they live in one place.
import type { SimOAuthClient, SimUser } from './types.js';

const ITSM_ROLES = [
  'import_set_loader',
  'import_transformer',
  'personalize_choices',
  'x_elas2_inc_int.integration_user',
];
const SIR_ROLES = [
  'import_set_loader',
  'import_transformer',
  'personalize_choices',
  'sn_si.basic',
  'x_elas2_sir_int.integration_user',
];

export interface DemoSeed {
  /** Every login the simulator accepts by default, with the roles the seeds name for each use. */
  users: SimUser[];
  /** The login each kind of demo connector should use. */
  connectors: {
    itsm: { username: string; password: string };
    sir: { username: string; password: string };
    itom: { username: string; password: string };
    tableApi: { username: string; password: string };
  };
  oauthClient: SimOAuthClient;
  /** Key id under which `generateJwtKey` registers the generated public key. */
  jwtKeyId: string;
}

export const demoSeed: DemoSeed = {
  users: [
    { user_name: 'admin', password: 'admin', roles: ['admin'], name: 'System Administrator' },
    {
      user_name: 'casebridge.itsm',
      password: 'casebridge-itsm',
      roles: ITSM_ROLES,
      name: 'casebridge ITSM integration',
      email: 'casebridge.itsm@example.com',
    },
    {
      user_name: 'casebridge.sir',
      password: 'casebridge-sir',
      roles: SIR_ROLES,
      name: 'casebridge SecOps integration',
      email: 'casebridge.sir@example.com',
    },
    {
      user_name: 'casebridge.itom',
      password: 'casebridge-itom',
      roles: ['evt_mgmt_integration', 'personalize_choices'],
      name: 'casebridge ITOM integration',
      email: 'casebridge.itom@example.com',
    },
    {
      user_name: 'itil.user',
      password: 'itil-user',
      roles: ['itil'],
      name: 'ITIL User',
      email: 'itil.user@example.com',
    },
    {
      user_name: 'no.roles',
      password: 'no-roles',
      roles: [],
      name: 'No Roles',
      email: 'no.roles@example.com',
    },
  ],
  connectors: {
    itsm: { username: 'casebridge.itsm', password: 'casebridge-itsm' },
    sir: { username: 'casebridge.sir', password: 'casebridge-sir' },
    itom: { username: 'casebridge.itom', password: 'casebridge-itom' },
    tableApi: { username: 'itil.user', password: 'itil-user' },
  },
  oauthClient: {
    client_id: 'casebridge-demo-client',
    client_secret: 'casebridge-demo-secret',
    grants: [
      'password',
      'client_credentials',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ],
    applicationUser: 'casebridge.itsm',
    userField: 'user_name',
  },
  jwtKeyId: 'casebridge-demo-kid',
};
