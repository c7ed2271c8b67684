import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import type { ActionsConfig, CustomHostSetting, VerificationModeValue } from '../config/schema.js';
import type { ProxyOptions, TlsOptions } from './http-types.js';
import type { LookupFunction } from 'node:net';

/**
 * Picks and caches the undici dispatcher for each request: TLS options merged from the global
 * verification mode, the matching customHostSettings entry and the connector's own `tls`, in that
 * order, and the proxy that applies (the connector's, else the global one unless bypassed).
 * Agents are cached by their effective options so a connector reuses its connections.
 */
export type Warn = (message: string) => void;

interface HostTls {
  ca?: string;
  cert?: string;
  key?: string;
  verificationMode?: VerificationModeValue;
}

interface EffectiveTls {
  ca?: string;
  cert?: string;
  key?: string;
  pfx?: Buffer;
  passphrase?: string;
  verificationMode: VerificationModeValue;
}

export interface EffectiveProxy {
  url: string;
  headers: Record<string, string>;
  verificationMode: VerificationModeValue;
}

const defaultPorts: Record<string, string> = { 'https:': '443', 'http:': '80', 'smtp:': '25' };

/** Kibana's lookup key for customHostSettings: `protocol//hostname:port` with the default port filled in. */
export function canonicalOrigin(url: URL): string {
  return `${url.protocol}//${url.hostname}:${url.port === '' ? (defaultPorts[url.protocol] ?? '') : url.port}`;
}

function readPem(path: string, what: string, warn: Warn): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    warn(`customHostSettings: unable to read ${what} file "${path}": ${(error as Error).message}`);
    return undefined;
  }
}

/** Reads CA, certificate and key files once, when the client is created, as Kibana does at start. */
export function loadCustomHostSettings(
  entries: readonly CustomHostSetting[],
  warn: Warn,
): Map<string, HostTls> {
  const byOrigin = new Map<string, HostTls>();
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(entry.url);
    } catch {
      warn(`customHostSettings: ignoring entry with unparsable url "${entry.url}"`);
      continue;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      warn(`customHostSettings: ignoring entry "${entry.url}": only https and http urls apply here`);
      continue;
    }
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
      warn(`customHostSettings: only the protocol, host and port of "${url.origin}" are used`);
    }
    const origin = canonicalOrigin(url);
    if (byOrigin.has(origin)) {
      warn(`customHostSettings: duplicate entry for "${origin}"; the first one is used`);
      continue;
    }
    const ssl = entry.ssl ?? {};
    const files = ssl.certificateAuthoritiesFiles;
    const caParts = [ssl.certificateAuthoritiesData];
    for (const file of typeof files === 'string' ? [files] : (files ?? []))
      caParts.push(readPem(file, 'CA', warn));
    const ca = caParts.filter((part): part is string => part !== undefined).join('\n');
    const cert =
      ssl.certificate ??
      (ssl.certificateFile ? readPem(ssl.certificateFile, 'certificate', warn) : undefined);
    const key = ssl.key ?? (ssl.keyFile ? readPem(ssl.keyFile, 'key', warn) : undefined);
    byOrigin.set(origin, {
      ...(ca !== '' && { ca }),
      ...(cert !== undefined && { cert }),
      ...(key !== undefined && { key }),
      ...(ssl.verificationMode !== undefined && { verificationMode: ssl.verificationMode }),
    });
  }
  return byOrigin;
}

/** Global, then custom host, then the connector's own options; CAs from both are trusted. */
export function mergeTls(
  globalMode: VerificationModeValue,
  host: HostTls | undefined,
  own: TlsOptions | undefined,
): EffectiveTls {
  const ca = [host?.ca, own?.ca]
    .filter((part): part is string => part !== undefined && part !== '')
    .join('\n');
  const ownIdentity = own?.pfx !== undefined || own?.cert !== undefined;
  return {
    verificationMode: own?.verificationMode ?? host?.verificationMode ?? globalMode,
    ...(ca !== '' && { ca }),
    // A client identity is used whole: the connector's replaces the host's, never mixed.
    ...(ownIdentity
      ? { cert: own?.cert, key: own?.key, pfx: own?.pfx, passphrase: own?.passphrase }
      : { cert: host?.cert, key: host?.key }),
  };
}

/** Node TLS options for a verification mode (actions-framework.md §4.3). */
export function verificationOptions(mode: VerificationModeValue): ConnectionOptions {
  if (mode === 'none') return { rejectUnauthorized: false };
  if (mode === 'certificate') return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { rejectUnauthorized: true };
}

function tlsConnectionOptions(tls: EffectiveTls): ConnectionOptions {
  return {
    ...verificationOptions(tls.verificationMode),
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.cert !== undefined && { cert: tls.cert }),
    ...(tls.key !== undefined && { key: tls.key }),
    ...(tls.pfx !== undefined && { pfx: tls.pfx }),
    ...(tls.passphrase !== undefined && { passphrase: tls.passphrase }),
  };
}

/** The global proxy, validated once: an invalid URL is ignored with a warning, as Kibana does. */
export class ProxyRules {
  readonly proxy?: EffectiveProxy;
  readonly #bypass: Set<string>;
  readonly #only?: Set<string>;

  constructor(settings: ActionsConfig, warn: Warn) {
    const bypass = settings.proxyBypassHosts ?? [];
    let only = settings.proxyOnlyHosts;
    if (settings.proxyBypassHosts !== undefined && only !== undefined) {
      warn(
        'The configurations xpack.actions.proxyBypassHosts and xpack.actions.proxyOnlyHosts cannot be used at the same time; proxyOnlyHosts is ignored.',
      );
      only = undefined;
    }
    this.#bypass = new Set(bypass.map((host) => host.toLowerCase()));
    if (only !== undefined) this.#only = new Set(only.map((host) => host.toLowerCase()));
    if (settings.proxyUrl === undefined) return;
    const valid = validProxyUrl(settings.proxyUrl);
    if (!valid) {
      warn(
        `The configuration xpack.actions.proxyUrl is not a valid http or https url; the proxy is ignored.`,
      );
      return;
    }
    this.proxy = {
      url: settings.proxyUrl,
      headers: settings.proxyHeaders ?? {},
      verificationMode: settings.ssl.proxyVerificationMode,
    };
  }

  /** The proxy for a target: the connector's replaces the global one and ignores the host lists. */
  forTarget(
    url: URL,
    own: ProxyOptions | undefined,
    globalProxyMode: VerificationModeValue,
  ): EffectiveProxy | undefined {
    if (own !== undefined) {
      return {
        url: own.url,
        headers: own.headers ?? {},
        verificationMode: own.verificationMode ?? globalProxyMode,
      };
    }
    if (!this.proxy) return undefined;
    const host = url.hostname.toLowerCase();
    if (this.#bypass.has(host)) return undefined;
    if (this.#only && !this.#only.has(host)) return undefined;
    return this.proxy;
  }
}

export function validProxyUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

// Enough for every connector of a large deployment; the oldest agent is closed beyond it.
const maxCachedAgents = 128;

export class AgentPool {
  readonly #agents = new Map<string, Dispatcher>();
  readonly #lookup: LookupFunction;

  constructor(lookup: LookupFunction) {
    this.#lookup = lookup;
  }

  get(target: URL, tls: EffectiveTls, proxy: EffectiveProxy | undefined): Dispatcher {
    // TLS options mean nothing to a plain-http target, so those share one agent per proxy.
    const tlsPart = target.protocol === 'https:' ? { ...tls, pfx: tls.pfx?.toString('base64') } : undefined;
    const text = JSON.stringify({ tls: tlsPart, proxy });
    // Short keys are used as they are; long ones (PEM bundles) are hashed so the map stays small.
    const key = text.length <= 256 ? text : createHash('sha256').update(text).digest('base64url');
    const cached = this.#agents.get(key);
    if (cached) {
      // Re-insert so the map's order is least-recently-used first.
      this.#agents.delete(key);
      this.#agents.set(key, cached);
      return cached;
    }
    const agent = this.#create(tls, proxy);
    this.#agents.set(key, agent);
    if (this.#agents.size > maxCachedAgents) {
      const [oldestKey, oldest] = this.#agents.entries().next().value as [string, Dispatcher];
      this.#agents.delete(oldestKey);
      // close() lets requests already running on it finish.
      void oldest.close().catch(() => undefined);
    }
    return agent;
  }

  #create(tls: EffectiveTls, proxy: EffectiveProxy | undefined): Dispatcher {
    const targetTls = tlsConnectionOptions(tls);
    if (proxy === undefined) {
      // The guarded lookup only runs for direct connections: through a proxy the proxy resolves.
      return new Agent({ connect: { ...targetTls, lookup: this.#lookup } });
    }
    return new ProxyAgent({
      uri: proxy.url,
      headers: proxy.headers,
      proxyTls: verificationOptions(proxy.verificationMode),
      requestTls: targetTls,
    });
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.close().catch(() => undefined)));
  }
}
