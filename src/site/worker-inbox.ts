/**
 * The worker's message handler, installed before anything else of the worker runs.
 *
 * worker.js is a module whose imports await WebAssembly set-up at load (Rapier's `init()`); a
 * browser may hand the worker its first message before that is done, and a message that arrives
 * with no handler is dropped. worker.ts imports this file first, so messages are queued from the
 * start and handed over once the worker is ready.
 */
const queued: MessageEvent[] = [];
let handler: ((ev: MessageEvent) => void) | null = null;

(globalThis as unknown as { onmessage: (ev: MessageEvent) => void }).onmessage = (ev) => {
  if (handler) handler(ev);
  else queued.push(ev);
};

/** Takes the worker's messages: first the queued ones, then each as it comes. */
export function receiveMessages(h: (ev: MessageEvent) => void): void {
  handler = h;
  for (const ev of queued.splice(0)) h(ev);
}
