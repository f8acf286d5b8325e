/** The gateway emitter. */
export { emitGateway, gatewayFiles, type EmitGatewayOptions } from './emit-gateway.ts';
