// LATENCY (latency.c): the latency monitor's events (LATEST, HISTORY, RESET, DOCTOR) and the
// per-command latency histograms (HISTOGRAM) that latency-tracking keeps.
import type { Command } from '../table/table.js';
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { replyHelp } from './help.js';

function latest({ reply, server }: CommandCall): void {
  reply.array(server.latency.events.size);
  for (const [event, ts] of server.latency.events) {
    const last = ts.latest();
    reply.array(4);
    reply.bulkStr(event);
    reply.integer(last.time);
    reply.integer(last.latency);
    reply.integer(ts.max);
  }
}

function history({ reply, server, args }: CommandCall): void {
  const ts = server.latency.events.get(args.str(2));
  const samples = ts?.ordered() ?? [];
  reply.array(samples.length);
  for (const s of samples) {
    reply.array(2);
    reply.integer(s.time);
    reply.integer(s.latency);
  }
}

function reset({ reply, server, args }: CommandCall): void {
  if (args.count === 2) {
    reply.integer(server.latency.reset());
    return;
  }
  let n = 0;
  for (let i = 2; i < args.count; i++) n += server.latency.reset(args.str(i));
  reply.integer(n);
}

function doctor({ reply, server }: CommandCall): void {
  reply.verbatim(server.latency.report(server.config.int('latency-monitor-threshold'), server.config.int('slowlog-log-slower-than')));
}

/** fillCommandCDF: {calls, histogram_usec: {µs bucket: cumulative count}}. */
function commandCdf(call: CommandCall, cmd: Command): void {
  const { reply } = call;
  const h = cmd.histogram!;
  reply.bulkStr(cmd.fullName);
  reply.map(2);
  reply.bulkStr('calls');
  reply.integer(h.total);
  reply.bulkStr('histogram_usec');
  const cdf = h.cdf();
  reply.map(cdf.length);
  for (const [us, count] of cdf) {
    reply.integer(us);
    reply.integer(count);
  }
}

function histogram(call: CommandCall): void {
  const { args, reply, server } = call;
  const chosen: Command[] = [];
  const withData = (c: Command) => c.histogram !== undefined && c.histogram.total > 0;
  if (args.count === 2) {
    for (const c of server.commands.everything()) if (withData(c)) chosen.push(c);
  } else {
    for (let i = 2; i < args.count; i++) {
      const name = args.lower(i);
      const bar = name.indexOf('|');
      const c = bar < 0 ? server.commands.get(name) : server.commands.get(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1));
      if (!c) continue;
      if (withData(c)) chosen.push(c);
      if (c.subcommands) for (const sub of c.subcommands.values()) if (withData(sub)) chosen.push(sub);
    }
  }
  reply.map(chosen.length);
  for (const c of chosen) commandCdf(call, c);
}

function graph({ reply, server, args }: CommandCall): void {
  const event = args.str(2);
  const ts = server.latency.events.get(event);
  if (!ts) {
    reply.error(`No samples available for event '${event}'`);
    return;
  }
  // latencyCommandGenSparkline: a compact rendering of the samples, oldest first.
  const samples = ts.ordered();
  let out = `${event} - high ${Math.max(...samples.map((s) => s.latency))} ms, low ${Math.min(...samples.map((s) => s.latency))} ms (all time high ${ts.max} ms)\n`;
  out += '-'.repeat(80) + '\n';
  for (const s of samples) out += `${s.time} ${s.latency}ms\n`;
  reply.verbatim(out);
}

const HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Print this help.',
];

const SUB = F.Admin | F.NoScript | F.Loading | F.Stale;
const ACL = ['admin', 'slow', 'dangerous'];
const TIPS = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];

export const latencyCommands: CommandDef[] = [
  {
    name: 'latency', arity: -2, flags: 0, acl: ['slow'], group: 'server', since: '2.8.13',
    summary: 'A container for latency diagnostics commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { name: 'doctor', arity: 2, flags: SUB, acl: ACL, group: 'server', since: '2.8.13', summary: 'Returns a human-readable latency analysis report.', complexity: 'O(1)', tips: TIPS, handler: doctor },
      { name: 'graph', arity: 3, flags: SUB, acl: ACL, group: 'server', since: '2.8.13', summary: 'Returns a latency graph for an event.', complexity: 'O(1)', tips: TIPS, handler: graph },
      { name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'server', since: '2.8.13', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, HELP) },
      { name: 'histogram', arity: -2, flags: SUB, acl: ACL, group: 'server', since: '7.0.0', summary: 'Returns the cumulative distribution of latencies of a subset or all commands.', complexity: 'O(N) where N is the number of commands with latency information being retrieved.', tips: TIPS, handler: histogram },
      { name: 'history', arity: 3, flags: SUB, acl: ACL, group: 'server', since: '2.8.13', summary: 'Returns timestamp-latency samples for an event.', complexity: 'O(1)', tips: TIPS, handler: history },
      { name: 'latest', arity: 2, flags: SUB, acl: ACL, group: 'server', since: '2.8.13', summary: 'Returns the latest latency samples for all events.', complexity: 'O(1)', tips: TIPS, handler: latest },
      { name: 'reset', arity: -2, flags: SUB, acl: ACL, group: 'server', since: '2.8.13', summary: 'Resets the latency data for one or more events.', complexity: 'O(1)', tips: ['request_policy:all_nodes', 'response_policy:agg_sum'], handler: reset },
    ],
  },
];
