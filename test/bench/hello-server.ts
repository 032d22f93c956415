/** The baseline: a bare fastify hello-world server, measured by the same load generator. */
import Fastify from 'fastify';

const app = Fastify();
app.post('/hello', async () => ({ hello: 'world' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`LISTENING ${url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
