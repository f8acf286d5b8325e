/** The service emitter. */
export { emitService, serviceFiles, type EmitServiceOptions } from './emit-service.ts';
export { serviceCheckFiles } from './check-files.ts';
export { checkServices } from './check-services.ts';
