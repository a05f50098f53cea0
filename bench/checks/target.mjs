// The probed target for bench/checks.bench.mjs: a bare Node HTTP server in its own process (so its CPU
// is not counted as the prober's), answering every request 200 with a small body and closing the
// connection. Prints its port on stdout once listening.
import http from 'node:http';

const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3', connection: 'close' });
  res.end('ok\n');
});
server.keepAliveTimeout = 0;
server.maxConnections = 20000;
server.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), backlog: 4096 }, () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
