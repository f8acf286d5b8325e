// Baseline (a) of B1: bare Fastify answering POST /events with 202 after parsing the JSON body,
// no Kafka. Reports `{ type: 'ready', url }` over IPC.
import Fastify from 'fastify';
import { serveBenchApp } from '../lib/serve.ts';

const app = Fastify({ logger: false });
app.post('/events', async (_request, reply) => reply.code(202).send());
await serveBenchApp(app);
