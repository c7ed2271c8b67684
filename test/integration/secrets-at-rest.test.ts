import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { createMetrics } from '../../src/metrics.js';
import { createKeyring, generateKey } from '../../src/secrets/keyring.js';
import { reencryptAll } from '../../src/secrets/rotate.js';
import { createTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/test-app.js';
import { dialects } from '../helpers/test-store.js';
import { fixtureTypes } from '../fixtures/connector-types.js';

// What happens to stored secrets when keys change: a lost key is reported on execute (and only
// for the connectors it sealed), and a rotation re-encrypts everything under the new key.
describe.each(dialects)('secrets at rest on %s', (dialect) => {
  let t: TestApp;
  let oldKeyConnector: string;
  const newKey = generateKey();

  const execute = (app: App, auth: string, id: string) =>
    app.server.inject({
      method: 'POST',
      url: `/api/actions/connector/${id}/_execute`,
      headers: { authorization: auth },
      payload: { params: { index: 'i', reference: 'r' } },
    });

  /** The same store and everything else, but a different keyring: a restart with other keys. */
  const appWithKeys = async (current: string, previous: string[] = []) =>
    buildApp({
      ...t.deps,
      keyring: createKeyring(current, previous),
      // Each app registers its metrics; a second app on the same registry would collide.
      metrics: createMetrics({ defaultMetrics: false }),
    });

  beforeAll(async () => {
    t = await createTestApp({ dialect, extraTypes: fixtureTypes });
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/api/actions/connector',
      headers: { authorization: t.adminAuth },
      payload: {
        name: 'sealed with the old key',
        connector_type_id: 'test.index-record',
        config: { unencrypted: 'u' },
        secrets: { encrypted: 'old-secret' },
      },
    });
    oldKeyConnector = res.json().id;
  });
  afterAll(async () => t.close());

  it('reports secrets that no configured key opens, and keeps serving other connectors', async () => {
    const app = await appWithKeys(newKey);
    const res = await execute(app, t.adminAuth, oldKeyConnector);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'error', retry: false, errorSource: 'framework' });
    expect(res.json().message).toMatch(
      /^stored secrets cannot be decrypted: they were encrypted with key [0-9a-f]{8}, which is not configured; enter the connector's secrets again/,
    );

    const fresh = await app.server.inject({
      method: 'POST',
      url: '/api/actions/connector',
      headers: { authorization: t.adminAuth },
      payload: {
        name: 'sealed with the new key',
        connector_type_id: 'test.index-record',
        config: { unencrypted: 'u' },
        secrets: { encrypted: 'new-secret' },
      },
    });
    expect((await execute(app, t.adminAuth, fresh.json().id)).json().status).toBe('ok');
    const events = await app.server.inject({
      method: 'GET',
      url: `/api/casebridge/events?connector_id=${oldKeyConnector}`,
      headers: { authorization: t.adminAuth },
    });
    expect(events.json().data[0]).toMatchObject({ outcome: 'failure' });
    expect(events.body).not.toContain('old-secret');
    // Re-entering the secrets heals the connector.
    const healed = await app.server.inject({
      method: 'PUT',
      url: `/api/actions/connector/${oldKeyConnector}`,
      headers: { authorization: t.adminAuth },
      payload: { name: 'healed', config: { unencrypted: 'u' }, secrets: { encrypted: 'old-secret' } },
    });
    expect(healed.statusCode).toBe(200);
    expect((await execute(app, t.adminAuth, oldKeyConnector)).json().status).toBe('ok');
    await app.server.close();
  });

  it('rotates: re-encrypts every row under the new key, after which the old key is not needed', async () => {
    const other = await t.app.server.inject({
      method: 'POST',
      url: '/api/actions/connector',
      headers: { authorization: t.adminAuth },
      payload: {
        name: 'to rotate',
        connector_type_id: 'test.index-record',
        config: { unencrypted: 'u' },
        secrets: { encrypted: 'rotate-me' },
      },
    });
    const rotating = createKeyring(newKey, [TEST_ENCRYPTION_KEY]);
    const report = await reencryptAll(t.testStore.store.db, rotating);
    expect(report.unreadable).toEqual([]);
    expect(report.connectors).toBeGreaterThanOrEqual(1);
    const rows = await t.testStore.store.db.selectFrom('connectors').select(['secrets']).execute();
    expect(rows.every((row) => rotating.keyIdOf(row.secrets) === rotating.currentKeyId)).toBe(true);
    const app = await appWithKeys(newKey);
    expect((await execute(app, t.adminAuth, other.json().id)).json().status).toBe('ok');
    // Idempotent: nothing left to do.
    expect((await reencryptAll(t.testStore.store.db, rotating)).connectors).toBe(0);
    await app.server.close();
  });
});
