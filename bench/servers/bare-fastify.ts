// Baseline (a) of B1: bare Fastify answering POST /events with 202 after parsing the JSON body,
// no Kafka. Reports `{ type: 'ready', url }` over IPC.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/events', async (_request, reply) => reply.code(202).send());
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', url });
process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ type: 'stats' });
});
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
