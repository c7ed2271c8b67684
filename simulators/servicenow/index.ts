// Public entry point of the ServiceNow simulator (named exports only).
export { startServiceNowSimulator, type ServiceNowSimulator } from './simulator.js';
export { demoSeed, type DemoSeed } from './demo-seed.js';
export type { SimulatorControl, SimulatorTables } from './handles.js';
export type { FaultAction, FaultMatch, FaultSpec, FlapSpec } from './faults.js';
export type { RequestLog } from './request-log.js';
export type {
  CloseCodeSet,
  ElasticAppState,
  LoggedRequest,
  ServiceNowSimulatorOptions,
  SimGrant,
  SimJwtVerifier,
  SimOAuthClient,
  SimRateLimitRule,
  SimUser,
  SnRecord,
  TableAcl,
} from './types.js';
export { seedSysId } from './clock-ids.js';
