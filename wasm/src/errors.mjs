/*
 * Errors of the JavaScript API. Every failure that the stack reports is a
 * SynackError whose `code` names it the way DESIGN.md does ('refused',
 * 'reset', 'timeout', 'unreachable', ...), so callers can tell a refused
 * connection from a timed-out one without parsing messages.
 */

import { ERR } from './constants.mjs';

/** An error from the stack: `code` is a short stable name. */
export class SynackError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'SynackError';
    this.code = code;
  }
}

/** The code name of a negative synack_err ('error' when unknown): the
 * name of its synack_err member in lower case ('refused' for
 * SYNACK_ERR_REFUSED; SYNACK_ERR_INVAL is 'invalid'), so that each error
 * the core adds has its code at once. */
export function errorCode(err) {
  const name = err < 0 && Object.keys(ERR).find((k) => ERR[k] === err);
  return name ? (name === 'INVAL' ? 'invalid' : name.toLowerCase()) : 'error';
}

/** A SynackError for synack_err `err`, with `what` saying what failed. */
export function errorFrom(err, what) {
  const code = errorCode(err);
  return new SynackError(code, `${what}: ${code === 'timeout' ? 'timed out' : code}`);
}
