// BullMQ, unchanged, on respd: its queue operations are Lua scripts run with EVALSHA (cmsgpack,
// ZSETs, hashes, XADD of events with MAXLEN ~), its workers block on BZPOPMIN markers, and its
// QueueEvents read the events stream with XREAD BLOCK. A queue and workers process a plain job, a
// delayed job, a job that fails once and is retried, priorities, a parent/children flow, a job
// scheduler; the counts, logs, progress and cleaning go through the same scripts.
import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.js';

const server = await startServer();
const connection = { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null };
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('BullMQ', () => {
  it('a queue and a worker process a plain job, a delayed job and a job retried after failing', async () => {
    const queue = new Queue('basic', { connection });
    const events = new QueueEvents('basic', { connection });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    let flakyRuns = 0;
    const failures: string[] = [];
    const worker = new Worker('basic', async (job: Job) => {
      if (job.name === 'flaky' && ++flakyRuns === 1) throw new Error('first attempt fails');
      return { doubled: (job.data as { n: number }).n * 2 };
    }, { connection });
    closers.push(() => worker.close());
    worker.on('failed', (job, e) => failures.push(`${job?.name}: ${e.message}`));
    const added = Date.now();
    const plain = await queue.add('plain', { n: 1 });
    const delayed = await queue.add('delayed', { n: 2 }, { delay: 300 });
    const flaky = await queue.add('flaky', { n: 3 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    expect(await plain.waitUntilFinished(events, 10000)).toEqual({ doubled: 2 });
    expect(await flaky.waitUntilFinished(events, 10000)).toEqual({ doubled: 6 });
    expect(await delayed.waitUntilFinished(events, 10000)).toEqual({ doubled: 4 });
    // The delayed job ran no sooner than its delay (a lower bound, not a timing threshold).
    const finished = await queue.getJob(delayed.id!);
    expect(finished!.processedOn! - added).toBeGreaterThanOrEqual(300);
    expect(flakyRuns).toBe(2);
    expect(failures).toEqual(['flaky: first attempt fails']);
    expect((await queue.getJob(flaky.id!))!.attemptsMade).toBe(2);
    expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'wait', 'active')).toMatchObject({
      completed: 3, failed: 0, delayed: 0, wait: 0, active: 0,
    });
  }, 20000);

  it('priorities, a parent/children flow, progress, logs, pause, a job scheduler and clean', async () => {
    const queue = new Queue('rich', { connection });
    const events = new QueueEvents('rich', { connection });
    const flows = new FlowProducer({ connection });
    closers.push(() => queue.close(), () => events.close(), () => flows.close());
    await events.waitUntilReady();
    // Jobs added while the queue is paused wait; on resume the higher priority runs first.
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    await queue.add('low', {}, { priority: 10 });
    await queue.add('high', {}, { priority: 1 });
    const order: string[] = [];
    const worker = new Worker('rich', async (job: Job) => {
      order.push(job.name);
      await job.updateProgress(50);
      await job.log(`ran ${job.name}`);
      return job.name;
    }, { connection });
    closers.push(() => worker.close());
    await worker.waitUntilReady();
    await queue.resume();
    const tree = await flows.add({ name: 'parent', queueName: 'rich', children: [{ name: 'child1', queueName: 'rich' }, { name: 'child2', queueName: 'rich' }] });
    expect(await tree.job.waitUntilFinished(events, 10000)).toBe('parent');
    // Prioritized jobs leave in priority order (BullMQ serves its wait list before them).
    await new Promise<void>((resolve) => {
      const check = () => (order.includes('low') ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(order.indexOf('high')).toBeLessThan(order.indexOf('low'));
    expect(order.indexOf('parent')).toBeGreaterThan(Math.max(order.indexOf('child1'), order.indexOf('child2')));
    const values = await tree.job.getChildrenValues();
    expect(Object.values(values).sort()).toEqual(['child1', 'child2']);
    const parent = await queue.getJob(tree.job.id!);
    expect(parent!.progress).toBe(50);
    expect((await queue.getJobLogs(tree.job.id!)).logs).toEqual(['ran parent']);
    await queue.upsertJobScheduler('every-50ms', { every: 50 }, { name: 'repeat' });
    await new Promise<void>((resolve) => {
      const check = () => (order.filter((n) => n === 'repeat').length >= 2 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(await queue.getJobSchedulers()).toHaveLength(1);
    await queue.removeJobScheduler('every-50ms');
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    // The scheduler's next job may already be waiting: the worker stops before the clean, so
    // nothing completes after it.
    await worker.close();
    await queue.clean(0, 1000, 'completed');
    expect(await queue.getJobCounts('completed')).toEqual({ completed: 0 });
    await queue.obliterate({ force: true });
  }, 20000);
});
