/*
 * The queue behind every "async iterable of things the core hands out":
 * accepted connections (TcpServer) and received datagrams (UdpSocket). Items
 * go to a waiting take() first, else into the queue; once ended, take()
 * rejects with the 'closed' SynackError and iteration stops.
 */
import { SynackError } from './errors.mjs';
import { deferred } from './util.mjs';

export class Inbox {
  #items = [];
  #waiters = [];
  #ended = false;
  #closedMessage;
  #onTake;

  /**
   * `closedMessage` is the message of the 'closed' error; `onTake` runs after
   * an item leaves the queue (room for more: the owner asks the core again).
   */
  constructor(closedMessage, onTake) {
    this.#closedMessage = closedMessage;
    this.#onTake = onTake;
  }

  /** Items queued and not yet taken. */
  get size() { return this.#items.length; }

  /** Whether a take() is waiting for an item. */
  get waiting() { return this.#waiters.length > 0; }

  /** Hand `item` to the oldest waiting take(), else queue it. */
  push(item) {
    const w = this.#waiters.shift();
    if (w) w.resolve(item);
    else this.#items.push(item);
  }

  /** The next item; rejects with code 'closed' once ended and drained. */
  take() {
    if (this.#items.length) {
      const item = this.#items.shift();
      this.#onTake();
      return Promise.resolve(item);
    }
    if (this.#ended) return Promise.reject(this.closedError());
    const d = deferred();
    this.#waiters.push(d);
    return d.promise;
  }

  /** The error a take() gets once the inbox has ended. */
  closedError() {
    return new SynackError('closed', this.#closedMessage);
  }

  /**
   * End it: waiting take()s reject with 'closed'. Returns the items still
   * queued and empties the queue when `drop` is true (else they stay takeable).
   */
  end(drop) {
    this.#ended = true;
    const err = this.closedError();
    for (const w of this.#waiters) w.reject(err);
    this.#waiters = [];
    if (!drop) return [];
    const left = this.#items;
    this.#items = [];
    return left;
  }

  /** An async iterator over take(); `onReturn` runs when a loop breaks early. */
  iterator(onReturn) {
    return {
      next: () => this.take().then(
        (value) => ({ value, done: false }),
        (err) => {
          if (err?.code === 'closed') return { value: undefined, done: true };
          throw err;
        }),
      return: () => {
        onReturn();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }
}
