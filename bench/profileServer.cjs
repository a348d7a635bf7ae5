// Runs a server bundle under the V8 CPU profiler and writes the profile when it exits:
//
//   node --import tsx bench/bench.ts --quick --sizes 50 --server bench/profileServer.cjs
//
// The bundle is PULLGUARD_PROFILE_SERVER (default dist/server.js); each server process
// writes <tmpdir>/pullguard-server-<pid>.cpuprofile (open it in Chrome DevTools).
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    const file = join(tmpdir(), `pullguard-server-${process.pid}.cpuprofile`);
    if (error) process.stderr.write(`profileServer: ${error.message}\n`);
    else writeFileSync(file, JSON.stringify(result.profile));
  });
});
// Run the bundle as the main module, as `node dist/server.js --stdio` does.
process.argv[1] = resolve(process.env.PULLGUARD_PROFILE_SERVER || join(__dirname, '..', 'dist', 'server.js'));
require('node:module').runMain();
