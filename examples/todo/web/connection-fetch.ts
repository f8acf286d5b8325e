/**
 * A `fetch` for the client that follows the live list, reporting the stream's connection. The
 * client makes one request per (re)connect, so this sees the stream connect; the end of an
 * answer's body is the connection lost (the client then waits its retry time and reconnects,
 * resuming after the last event it saw).
 */
export type ConnectionState = 'live' | 'lost';

export function connectionFetch(report: (state: ConnectionState) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.ok || response.body === null) return response;
    report('live');
    return new Response(
      untilEnd(response.body, () => report('lost')),
      response,
    );
  };
}

/** `body`, calling `onEnd` when it ends, fails or is cancelled. */
function untilEnd(body: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          onEnd();
          controller.close();
        } else controller.enqueue(chunk.value);
      } catch (error) {
        onEnd();
        controller.error(error);
      }
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason);
    },
  });
}
