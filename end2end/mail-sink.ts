// A loopback SMTP server for the Playwright run: the console (started by `.ci/run` with
// `--smtp-url smtp://127.0.0.1:$E2E_SMTP_PORT`) sends its e-mail here, and each message is
// appended as one JSON line to `$E2E_DATA_DIR/mail.jsonl` for the tests to read.
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_SMTP_PORT);
  const dataDir = process.env.E2E_DATA_DIR;
  if (!port || !dataDir) return async () => {};
  const file = path.join(dataDir, 'mail.jsonl');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    socket.write('220 e2e sink ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            appendFileSync(file, JSON.stringify({ data: data.join('\n') }) + '\n');
            data = [];
            socket.write('250 queued\r\n');
          } else {
            data.push(line);
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 ok\r\n');
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return async () => {
    // The console keeps pooled connections open; close would wait for them forever.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
