import { EventEmitter } from 'node:events';

/** Fields every delivery event carries. */
export interface DeliveryRef {
  id: string;
  connectorId: string;
  attempt: number;
}

/**
 * The queue's lifecycle, as `noun:verb` events (graphile-worker's WorkerEventMap). Logs and
 * metrics subscribe in observe.ts; tests may subscribe to wait for a state instead of polling.
 */
export interface DeliveryEventMap {
  'delivery:enqueued': [{ id: string; connectorId: string; created: boolean }];
  'delivery:claimed': [DeliveryRef & { workerId: string; waitedMs: number }];
  'delivery:succeeded': [DeliveryRef & { durationMs: number; acceptedToDoneMs: number }];
  'delivery:failed': [DeliveryRef & { durationMs: number; error: string }];
  'delivery:retryScheduled': [DeliveryRef & { at: Date; reason: 'schedule' | 'target' }];
  'delivery:dead': [
    DeliveryRef & { reason: 'final' | 'exhausted' | 'lease_expired' | 'gone'; error: string },
  ];
  /** This worker's write was refused: its lease had expired and another worker took over. */
  'delivery:leaseLost': [DeliveryRef];
  'delivery:reclaimed': [{ id: string; connectorId: string; status: string }];
  'delivery:released': [{ count: number; reason: 'shutdown' | 'connector_cap' }];
  'connector:paused': [{ connectorId: string; until: Date }];
  'worker:started': [{ workerId: string }];
  'worker:stopped': [{ workerId: string; released: number }];
  'worker:error': [{ workerId: string; error: unknown }];
}

/** A typed EventEmitter: `emit` and `on` only accept the names and payloads above. */
export class DeliveryEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof DeliveryEventMap>(name: K, listener: (...args: DeliveryEventMap[K]) => void): this {
    this.emitter.on(name, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof DeliveryEventMap>(name: K, listener: (...args: DeliveryEventMap[K]) => void): this {
    this.emitter.off(name, listener as (...args: unknown[]) => void);
    return this;
  }

  emit<K extends keyof DeliveryEventMap>(name: K, ...args: DeliveryEventMap[K]): void {
    this.emitter.emit(name, ...args);
  }
}
