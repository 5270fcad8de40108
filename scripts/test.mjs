#!/usr/bin/env node
// `npm test`: builds the addon and the TypeScript, builds and runs the native tests (ctest),
// then the vitest suite twice: as configured (io-uring auto: io_uring where the kernel has it), and
// with io-threads 4 on every test server; on Linux with a kernel that has io_uring, a third time
// with io-uring no (epoll) on every test server.
// The runners' summaries appear in the output; any failure fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const which = process.argv[2] ?? 'all';
const run = (cmd, args, opts = {}) => {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

if (which === 'all' || which === 'native') {
  run('cmake', ['-S', '.', '-B', 'build-native', '-DCMAKE_BUILD_TYPE=RelWithDebInfo']);
  run('cmake', ['--build', 'build-native', '-j2']);
  run('ctest', ['--test-dir', 'build-native', '--output-on-failure']);
}
if (which === 'all' || which === 'js') {
  if (!existsSync('build/Release/respd.node') || process.env.RESPD_REBUILD !== '0') run('npx', ['cmake-js', 'compile']);
  run('npx', ['tsc', '-p', 'tsconfig.build.json']);
  run('node', ['scripts/bundle.mjs']);
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('npx', ['vitest', 'run']);
  // The same suite again with every test server on io-threads 4 (threaded reads and writes on
  // every turn): the IO threads must change nothing a client can see.
  console.log('\n(second pass: RESPD_TEST_IO_THREADS=4)');
  run('npx', ['vitest', 'run'], { env: { ...process.env, RESPD_TEST_IO_THREADS: '4' } });
  // The first pass served on io_uring where the kernel has it (io-uring auto, the default; the
  // addon itself is asked): then once more on epoll (io-uring no), so that each poller has a full
  // pass of its own. The poller must change nothing a client can see.
  if (ioUringAvailable()) {
    console.log('\n(third pass: RESPD_TEST_IO_URING=0, epoll)');
    run('npx', ['vitest', 'run'], { env: { ...process.env, RESPD_TEST_IO_URING: '0' } });
  } else {
    console.log('\n(no third pass: this kernel or build has no io_uring, so the first pass ran on epoll)');
  }
}

function ioUringAvailable() {
  if (process.platform !== 'linux') return false;
  const probe = "const b = require('node-gyp-build')(process.cwd()); const e = new b.Engine({ ioUring: true }); " +
    'process.stdout.write(e.pollBackend()); e.stop();';
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  return r.status === 0 && r.stdout === 'io_uring';
}
