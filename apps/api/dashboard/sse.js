// Server-Sent Events over fetch(): EventSource cannot send the Authorization header, so the stream is read with a
// ReadableStream reader and its frames parsed here (the text/event-stream format of the HTML standard).

/**
 * Incremental parser: feed it decoded text chunks; it calls `onEvent({id, event, data})` per dispatched event and
 * `onRetry(ms)` for a `retry:` field. Comment lines (heartbeats, `: ping`) are ignored.
 */
export class SseParser {
  #buffer = '';
  #data = [];
  #event = '';
  #id = undefined;

  constructor(onEvent, onRetry = () => undefined) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.lastEventId = undefined;
  }

  feed(chunk) {
    this.#buffer += chunk;
    let index;
    while ((index = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, index);
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for the next chunk.
      if (this.#buffer[index] === '\r' && index === this.#buffer.length - 1) break;
      const skip = this.#buffer.startsWith('\r\n', index) ? 2 : 1;
      this.#buffer = this.#buffer.slice(index + skip);
      this.#line(line);
    }
  }

  #line(line) {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.onRetry(Number(value));
  }

  #dispatch() {
    if (this.#id !== undefined) this.lastEventId = this.#id;
    if (this.#data.length > 0) this.onEvent({ id: this.lastEventId, event: this.#event || 'message', data: this.#data.join('\n') });
    this.#data = [];
    this.#event = '';
    this.#id = undefined;
  }
}

/**
 * Follows an SSE endpoint: reconnects after a drop (after `retry` ms, default 3 s, growing to 30 s while it keeps
 * failing) with `Last-Event-ID`. `onState` gets 'connecting' | 'live' | 'unavailable' (404: the server has no
 * stream) | 'unauthorized' | 'retrying'. Returns `stop()`.
 */
export function followEventStream({ url, headers, lastEventId, onEvent, onState }) {
  const controller = new AbortController();
  let retryMs = 3000;
  let failures = 0;
  let stopped = false;
  const parser = new SseParser(onEvent, (ms) => (retryMs = ms));
  parser.lastEventId = lastEventId;

  const connect = async () => {
    while (!stopped) {
      onState('connecting');
      try {
        const response = await fetch(url, {
          headers: { ...headers(), Accept: 'text/event-stream', ...(parser.lastEventId ? { 'Last-Event-ID': parser.lastEventId } : {}) },
          cache: 'no-store',
          credentials: 'omit',
          signal: controller.signal,
        });
        if (response.status === 404 || response.status === 405) return onState('unavailable');
        if (response.status === 401 || response.status === 403) return onState('unauthorized');
        if (!response.ok || !response.body || !String(response.headers.get('content-type')).startsWith('text/event-stream')) throw new Error(`stream answered ${response.status}`);
        onState('live');
        failures = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (error) {
        if (stopped || error?.name === 'AbortError') return;
      }
      if (stopped) return;
      failures++;
      onState('retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, retryMs * 2 ** Math.max(0, failures - 1))));
    }
  };
  void connect();
  return () => {
    stopped = true;
    controller.abort();
  };
}
