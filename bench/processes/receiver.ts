import { createServer } from 'node:http';

/**
 * The trivial loopback receiver every benchmark measures against: reads the body, answers
 * 200 `{"ok":true}`. Run as a child process; it sends its port to the parent over IPC.
 */
const body = Buffer.from('{"ok":true}');
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.send?.({ port: address.port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
