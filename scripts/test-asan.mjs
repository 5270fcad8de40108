#!/usr/bin/env node
// `npm run test:asan`: the native tests (parser, output chain, engine, tls) built in their own
// directory with AddressSanitizer and UndefinedBehaviorSanitizer, then run by ctest. Any leak,
// bad access or undefined behaviour fails the run. Not part of `npm test` (it builds everything
// again, unoptimized).
import { spawnSync } from 'node:child_process';

const run = (cmd, args, env = {}) => {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${cmd} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

run('cmake', ['-S', '.', '-B', 'build-asan', '-DCMAKE_BUILD_TYPE=Debug', '-DRESPD_SANITIZE=ON']);
run('cmake', ['--build', 'build-asan', '-j2']);
run('ctest', ['--test-dir', 'build-asan', '--output-on-failure'], {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1:strict_string_checks=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
});
