// The part of redlock 5's API the tests use: its package.json "exports" hides the typings it
// ships (dist/index.d.ts) from NodeNext resolution.
declare module 'redlock' {
  import type { Redis } from 'ioredis';

  export class ExecutionError extends Error {}

  export class Lock {
    readonly value: string;
    extend(duration: number): Promise<Lock>;
    release(): Promise<unknown>;
  }

  export default class Redlock {
    constructor(clients: Iterable<Redis>, settings?: { retryCount?: number; retryDelay?: number; driftFactor?: number });
    acquire(resources: string[], duration: number): Promise<Lock>;
  }
}
