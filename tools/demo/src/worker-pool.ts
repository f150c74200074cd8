import { Worker } from 'node:worker_threads';
import { Pool, type ConnectionManager } from '@patinox/pool';
import type { AsyncResourceGuard } from '@patinox/resource';
import type { ConfigData, SharedMap } from '@patinox/shared';
import type { Product } from './catalog.js';
import type { PricingRules, Quote } from './pricing.js';
import type { Resources } from './resources.js';
import { WorkerStartError } from './worker-start-error.js';

/** A message from the main thread to a pricing worker. */
export interface ToWorker {
  requestId: number;
  product: Product;
  /** With a shared price map: the key the worker stores the quote under. */
  cacheKey?: string;
}

/** A message from a pricing worker: started, a quote, or a new rules version seen. */
export type FromWorker =
  | { type: 'ready'; version: number }
  | { type: 'quote'; requestId: number; quote: Quote }
  | { type: 'rules'; version: number };

const WORKER_URL = new URL('./pricing-worker.js', import.meta.url);

/** One worker thread, used as a pooled connection: one request at a time, answered by `price`. */
export class PricingWorker {
  /** 1, 2, …: in the order the pool created them. */
  readonly id: number;
  /** Every rules version the worker's replica reported, from the one it started with. */
  readonly rulesVersions: number[] = [];
  quotes = 0;
  /** Time spent pricing (a request posted and not yet answered), in ms. */
  busyMs = 0;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (quote: Quote) => void; reject: (error: Error) => void }>();
  #nextRequestId = 0;
  #exited = false;
  #terminating = false;
  #onFailure: (error: Error) => void = () => {};

  private constructor(id: number, worker: Worker) {
    this.id = id;
    this.#worker = worker;
  }

  /**
   * Starts a worker with its own replica of `config`, resolved once it is ready to price.
   * @throws {WorkerStartError} `DEMO_WORKER_START_FAILED` when the thread exits or throws before it is ready.
   * Rejects with `signal.reason` when `signal` aborts first (the thread is then terminated).
   */
  static start(
    id: number,
    config: ConfigData<PricingRules>,
    onRules: (worker: PricingWorker, version: number) => void,
    signal: AbortSignal,
    prices?: SharedMap<Quote>,
    workerUrl: URL = WORKER_URL,
  ): Promise<PricingWorker> {
    const handle = config.share();
    const thread = new Worker(workerUrl, { workerData: { rules: handle, prices: prices?.handle }, transferList: [handle.port] });
    // A worker terminated while it stores a quote (a shutdown, a destroyed worker) would leave its shard
    // lock to the lease; this frees it as soon as the worker has exited.
    prices?.recoverOnExit(thread);
    const worker = new PricingWorker(id, thread);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        void thread.terminate();
        reject(error);
      };
      const onAbort = (): void => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const onStartError = (error: Error): void => fail(new WorkerStartError(id, { error }));
      signal.addEventListener('abort', onAbort, { once: true });
      thread.on('error', onStartError);
      thread.on('exit', (code) => {
        // Without this, a thread that ends before 'ready' would leave the create pending until its timeout.
        fail(new WorkerStartError(id, { exitCode: code }));
        worker.#exit(new Error(`pricing worker #${id} exited with code ${code}`));
      });
      thread.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'quote':
            worker.quotes += 1;
            worker.#pending.get(message.requestId)?.resolve(message.quote);
            worker.#pending.delete(message.requestId);
            break;
          case 'rules':
            worker.rulesVersions.push(message.version);
            onRules(worker, message.version);
            break;
          case 'ready':
            if (settled) return;
            settled = true;
            worker.rulesVersions.push(message.version);
            signal.removeEventListener('abort', onAbort);
            thread.off('error', onStartError);
            thread.on('error', (error) => worker.#exit(error));
            resolve(worker);
        }
      });
    });
  }

  /** The rules version the worker prices with now (0 before it is ready). */
  get rulesVersion(): number {
    return this.rulesVersions.at(-1) ?? 0;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Prices one product on this worker's thread (which stores it under `cacheKey` in the shared price map, if any). */
  price(product: Product, cacheKey?: string): Promise<Quote> {
    if (this.#exited) return Promise.reject(new Error(`pricing worker #${this.id} has exited`));
    const requestId = (this.#nextRequestId += 1);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, {
        resolve: (quote) => {
          this.busyMs += performance.now() - started;
          resolve(quote);
        },
        reject,
      });
      this.#worker.postMessage((cacheKey === undefined ? { requestId, product } : { requestId, product, cacheKey }) satisfies ToWorker);
    });
  }

  /** Ends the thread; pending requests reject. */
  async terminate(): Promise<void> {
    this.#terminating = true;
    await this.#worker.terminate();
  }

  /** Called when the thread fails or exits on its own; the pool then replaces this worker. */
  onFailure(listener: (error: Error) => void): void {
    this.#onFailure = listener;
  }

  #exit(error: Error): void {
    if (this.#exited) return;
    this.#exited = true;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    if (!this.#terminating) this.#onFailure(error);
  }
}

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  size: number;
  config: ConfigData<PricingRules>;
  /** Guards every worker, so a shutdown terminates them even if the pool never gets to. */
  resources: Resources;
  /** Called each time a worker reports a new rules version. */
  onRulesSeen: (worker: PricingWorker, version: number) => void;
  /** The shared price map every worker stores its quotes in, if the demo runs with `--cache shared-map`. */
  prices?: SharedMap<Quote>;
}

/** A pool of pricing workers, and every worker it ever started (for the summary). */
export interface WorkerPool {
  pool: Pool<PricingWorker>;
  workers: PricingWorker[];
}

/** A `Pool` whose connections are worker threads: a generic pool lends workers like it lends sockets. */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const workers: PricingWorker[] = [];
  let lastId = 0;
  const guards = new Map<PricingWorker, AsyncResourceGuard<PricingWorker>>();
  const manager: ConnectionManager<PricingWorker> = {
    async create(signal) {
      const worker = await PricingWorker.start((lastId += 1), options.config, options.onRulesSeen, signal, options.prices);
      let guard: AsyncResourceGuard<PricingWorker>;
      try {
        guard = options.resources.guard(worker, (w) => w.terminate(), { name: `pricing worker #${worker.id}` });
      } catch (error) {
        // The registry is shutting down (Ctrl-C while this worker started): nothing else would end its thread.
        await worker.terminate();
        throw error;
      }
      workers.push(worker);
      guards.set(worker, guard);
      return worker;
    },
    isValid: (worker) => !worker.exited,
    async destroy(worker) {
      await guards.get(worker)?.cleanup();
      guards.delete(worker);
    },
    watch: (worker, onError) => worker.onFailure(onError),
    connectTimeoutMs: 10_000,
  };
  const pool = new Pool(manager, { name: 'pricing-workers', minSize: options.size, maxSize: options.size, idleTimeoutMs: 0, healthCheckIntervalMs: 0 });
  return { pool, workers };
}
