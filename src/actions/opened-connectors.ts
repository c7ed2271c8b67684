import type { Logger } from 'pino';
import type { ConnectorRecord } from './connector-record.js';

/** A stored connector made ready to run: secrets decrypted, config and secrets validated. */
export interface OpenedConnector {
  secrets: Record<string, unknown>;
  valid: { config: Record<string, unknown>; secrets: Record<string, unknown> };
  logger: Logger;
}

const MAX_ENTRIES = 1_000;

/**
 * Opened connectors by id, reused while the stored row is unchanged. Decrypting the secrets,
 * validating config and secrets and making the connector's child logger cost ~60 µs of CPU per
 * run, every run, for the same answer. An entry counts only for the exact sealed envelope and
 * config it was made from: every write of a connector (update, key rotation) seals its secrets
 * anew with a fresh IV, and the config is compared too, so a changed connector is never run with
 * an old config or old secrets. Failures are not kept; they are worked out again on each run.
 */
export class OpenedConnectors {
  readonly #entries = new Map<string, { sealed: string; config: string; opened: OpenedConnector }>();

  get(record: ConnectorRecord, open: () => OpenedConnector): OpenedConnector {
    const sealed = record.sealedSecrets;
    // Preconfigured connectors carry plaintext secrets and are rare; open them every time.
    if (sealed === undefined) return open();
    const config = JSON.stringify(record.config);
    const entry = this.#entries.get(record.id);
    if (entry !== undefined && entry.sealed === sealed && entry.config === config) return entry.opened;
    const opened = open();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(record.id, { sealed, config, opened });
    return opened;
  }
}
