/** The client emitter. */
export { emitClient, clientFiles, type EmitClientOptions } from './emit-client.ts';
export { clientCheckFiles } from './check-files.ts';
