import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';
import { failureOf, failureOfCode, ResponseError, toKafkaError } from './failures.ts';

/**
 * A kafkajs error by class name, as failureOf tells them apart; these classes' constructors are
 * typed without the message they need at run time.
 */
function kafkajsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** A protocol error as kafkajs makes one from an error code (src/protocol/error.js). */
function protocolError(type: string, code: number, retriable: boolean): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable }));
}

describe('failureOf', () => {
  it.each([
    [
      'a refused connection',
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
        code: 'ECONNREFUSED',
      }),
      'connection',
      'KAFKA_UNAVAILABLE',
    ],
    [
      'a request timeout',
      new KafkaJSRequestTimeoutError('Request Produce timed out'),
      'timeout',
      'PRODUCE_TIMEOUT',
    ],
    [
      'a Node socket error',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      'connection',
      'KAFKA_UNAVAILABLE',
    ],
    [
      'stale metadata',
      kafkajsError('KafkaJSBrokerNotFound', 'Broker 1 not found in the cached metadata'),
      'stale-metadata',
      'KAFKA_UNAVAILABLE',
    ],
    [
      'NOT_LEADER_OR_FOLLOWER',
      protocolError('NOT_LEADER_OR_FOLLOWER', 6, true),
      'stale-metadata',
      'KAFKA_UNAVAILABLE',
    ],
    [
      'UNKNOWN_TOPIC_OR_PARTITION',
      protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true),
      'stale-metadata',
      'TOPIC_NOT_FOUND',
    ],
    [
      'MESSAGE_TOO_LARGE',
      protocolError('MESSAGE_TOO_LARGE', 10, false),
      'fatal',
      'RECORD_TOO_LARGE',
    ],
    [
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false),
      'producer-state',
      'KAFKA_ERROR',
    ],
    [
      'the cause of exhausted kafkajs retries',
      new KafkaJSNumberOfRetriesExceeded(protocolError('LEADER_NOT_AVAILABLE', 5, true), {
        retryCount: 0,
        retryTime: 100,
      }),
      'stale-metadata',
      'KAFKA_UNAVAILABLE',
    ],
    [
      'a failed SASL handshake',
      kafkajsError('KafkaJSSASLAuthenticationError', 'SASL PLAIN authentication failed'),
      'fatal',
      'NOT_AUTHORIZED',
    ],
    ['a response error code', new ResponseError(87, 'INVALID_RECORD'), 'fatal', 'INVALID_RECORD'],
    [
      'a retriable KafkaError',
      new KafkaError('KAFKA_UNAVAILABLE', 'no leader'),
      'transient',
      'KAFKA_UNAVAILABLE',
    ],
    ['anything else', new TypeError('x is undefined'), 'fatal', 'KAFKA_ERROR'],
  ])('classifies %s', (_, error, kind, code) => {
    expect(failureOf(error)).toMatchObject({ kind, code });
  });

  it('treats codes it does not know as fatal', () => {
    expect(failureOfCode(999)).toMatchObject({ kind: 'fatal', code: 'KAFKA_ERROR' });
  });
});

describe('toKafkaError', () => {
  it('keeps the client error as cause, with status and retriability from the code', () => {
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    const error = toKafkaError(failureOf(cause), 'Produce failed');
    expect(error).toBeInstanceOf(KafkaError);
    expect(error).toMatchObject({ code: 'KAFKA_UNAVAILABLE', status: 503, retriable: true, cause });
    expect(error.message).toMatch(/^Produce failed: Connection error/);
  });
});
