#!/usr/bin/env node
// `npm run fuzz [-- --seconds N]`: fuzzes request parsing (test/native/fuzz_parser.cc) for a
// bounded time, 60 s by default, under AddressSanitizer and UndefinedBehaviorSanitizer.
// With clang++ on the PATH it builds a libFuzzer binary and runs it on a copy of the committed
// seed corpus (test/native/fuzz-corpus/parser); without it, g++ builds the standalone driver
// (test/native/fuzz_driver.cc), which mutates the corpus at random from a printed seed.
// A failing input is left in build-fuzz/ (crash-*) to reproduce with the same binary.
// --standalone uses the g++ driver even where clang++ is installed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';

const args = process.argv.slice(2);
const at = args.indexOf('--seconds');
const seconds = at >= 0 ? Number(args[at + 1]) : 60;
if (!(seconds > 0)) {
  console.error('--seconds wants a positive number');
  process.exit(2);
}
const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const run = (cmd, argv, opts = {}) => {
  console.log(`> ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} failed (exit ${r.status ?? r.signal}); a failing input is in build-fuzz/ (crash-*)`);
    process.exit(r.status || 1);
  }
};

const out = 'build-fuzz';
mkdirSync(out, { recursive: true });
const sources = ['native/core/resp_parser.cc', 'native/core/request_reader.cc', 'native/core/batch.cc', 'test/native/fuzz_parser.cc'];
const common = ['-std=c++17', '-g', '-O1', '-Wall', '-Wextra', '-Inative/core', '-fno-omit-frame-pointer'];
const env = { ...process.env, ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1', UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1' };

if (has('clang++') && !args.includes('--standalone')) {
  run('clang++', [...common, '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=undefined', ...sources, '-o', `${out}/fuzz_parser`]);
  const corpus = `${out}/corpus`;
  mkdirSync(corpus, { recursive: true });
  cpSync('test/native/fuzz-corpus/parser', corpus, { recursive: true });
  run(`${out}/fuzz_parser`, [`-max_total_time=${seconds}`, '-max_len=200000', '-timeout=10', `-artifact_prefix=${out}/crash-`, corpus], { env });
} else {
  console.log('clang++ was not found: building the standalone driver with g++ instead of libFuzzer.');
  console.log('(apt-get install clang gives the coverage-guided libFuzzer build.)');
  run('g++', [...common, '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', ...sources, 'test/native/fuzz_driver.cc', '-o', `${out}/fuzz_parser_standalone`]);
  run(`${out}/fuzz_parser_standalone`, ['test/native/fuzz-corpus/parser', String(seconds), out], { env });
}
