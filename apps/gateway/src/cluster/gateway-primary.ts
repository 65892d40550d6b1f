import cluster, { type Worker } from 'node:cluster';
import type { LoggerService } from '@nestjs/common';
import { AggregatorRegistry } from 'prom-client';
import { SHUTDOWN_DEADLINE_MS } from '#app/runtime';
import { AddressLedger } from './address-ledger.js';
import { isGatewayMessage, type PrimaryAnswer, type WorkerRequest } from './cluster-messages.js';

/** How long after the workers' own drain deadline the primary waits before it kills what is left. */
const KILL_AFTER_MS = SHUTDOWN_DEADLINE_MS + 2000;

/**
 * GATEWAY_WORKERS > 1: this process forks that many gateways (node:cluster), which share the port (the
 * primary accepts and hands connections round-robin, so each worker holds its share of the files), and
 * makes them one gateway to the outside: the per-address connection cap counted over all of them
 * (AddressLedger), /metrics summed over all of them (prom-client's AggregatorRegistry), and a stop
 * that drains every worker. It serves no client itself.
 *
 * States: `starting` until every worker listens (a worker that exits then is a broken start: all stop,
 * exit 1); `running` (a worker that dies is logged and replaced); `stopping` after SIGTERM/SIGINT (each
 * worker drains, the primary exits 0 once all exited 0, else 1, or 1 after KILL_AFTER_MS).
 */
export class GatewayPrimary {
  private state: 'starting' | 'running' | 'stopping' = 'starting';
  private readonly ledger = new AddressLedger();
  private readonly aggregator = new AggregatorRegistry();
  private listening = 0;
  private failedExits = 0;

  constructor(
    private readonly workers: number,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    cluster.on('message', (worker, message) => this.answer(worker, message));
    cluster.on('listening', () => this.onListening());
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal));
    process.on('SIGTERM', () => this.stop('SIGTERM'));
    process.on('SIGINT', () => this.stop('SIGINT'));
    for (let i = 0; i < this.workers; i++) cluster.fork();
  }

  private onListening(): void {
    if (this.state !== 'starting' || ++this.listening < this.workers) return;
    this.state = 'running';
    this.logger.log(`${this.workers} gateway workers serving one port`);
  }

  private onExit(worker: Worker, code: number | null, signal: string | null): void {
    this.ledger.forget(worker.id);
    if (code !== 0) this.failedExits++;
    const alive = Object.keys(cluster.workers ?? {}).length;
    if (this.state === 'stopping') {
      if (alive === 0) this.exit(this.failedExits === 0 ? 0 : 1);
      return;
    }
    if (this.state === 'starting') {
      this.logger.error(`gateway worker ${worker.process.pid} exited (${signal ?? code}) while starting: stopping the others`);
      this.stop('start failure', 1);
      return;
    }
    this.logger.error(`gateway worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  }

  private stop(why: string, exitCode = 0): void {
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    if (exitCode !== 0) this.failedExits++;
    this.logger.log(`${why}: draining ${Object.keys(cluster.workers ?? {}).length} gateway workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      this.logger.error(`gateway workers still running ${KILL_AFTER_MS} ms after ${why}: killing them`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      this.exit(1);
    }, KILL_AFTER_MS).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) this.exit(this.failedExits === 0 ? 0 : 1);
  }

  private exit(code: number): void {
    this.logger.log(code === 0 ? 'stopped' : 'stopped with errors');
    process.exit(code);
  }

  private answer(worker: Worker, message: unknown): void {
    if (!isGatewayMessage(message)) return;
    const request = message as WorkerRequest;
    const reply = (answer: PrimaryAnswer) => {
      if (worker.isConnected()) worker.send(answer);
    };
    if (request.gw === 'claim') reply({ gw: 'claimed', id: request.id, ok: this.ledger.claim(worker.id, request.key, request.cap) });
    else if (request.gw === 'release') this.ledger.release(worker.id, request.key);
    else if (request.gw === 'metrics') {
      this.aggregator.clusterMetrics().then(
        (text) => reply({ gw: 'metrics', id: request.id, text }),
        (err: Error) => reply({ gw: 'metrics', id: request.id, error: err.message }),
      );
    }
  }
}
