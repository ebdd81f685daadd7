#!/usr/bin/env node
// Runs the benchmarks (bench/*.bench.js, or those named on the command line), each in its
// own process, saves each one's markdown section to bench/results/<name>.md and
// assembles bench/RESULTS.md with the machine they ran on.
// Every benchmark measures its baseline in the same run and prints ratios.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const dir = __dirname;
const only = process.argv.slice(2);
const benches = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.js')).sort()
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)));

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `${os.type()} ${os.release()}, Node.js ${process.version}`;
}

for (const f of benches) {
  const name = f.replace(/\.bench\.js$/, '');
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(dir, f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout || '');
  if (r.status !== 0) {
    console.error(`benchmark ${name} failed (exit ${r.status})`);
    process.exitCode = 1;
    continue;
  }
  const stamp = `_Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}._\n\n`;
  fs.writeFileSync(path.join(dir, 'results', `${name}.md`), stamp + r.stdout.trim() + '\n');
}

const parts = fs.readdirSync(path.join(dir, 'results')).filter((f) => f.endsWith('.md')).sort()
  .map((f) => fs.readFileSync(path.join(dir, 'results', f), 'utf8').trim());
fs.writeFileSync(path.join(dir, 'RESULTS.md'),
  '# Benchmark results\n\nEach section is one `npm run bench` run of that benchmark; every figure stands beside ' +
  'its baseline measured in the same run on the machine named in the section.\n\n' + parts.join('\n\n') + '\n');
console.log('\nbench/RESULTS.md updated');
