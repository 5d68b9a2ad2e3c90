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

/* The JS API's code for each synack_err (the values come from C through
 * the generated constants.mjs). */
const CODE_NAMES = new Map([
  [ERR.INVAL, 'invalid'], [ERR.NOMEM, 'nomem'], [ERR.AGAIN, 'again'],
  [ERR.ADDRINUSE, 'addrinuse'], [ERR.NOTCONN, 'notconn'],
  [ERR.REFUSED, 'refused'], [ERR.RESET, 'reset'], [ERR.TIMEOUT, 'timeout'],
  [ERR.UNREACHABLE, 'unreachable'], [ERR.CLOSED, 'closed'],
  [ERR.MSGSIZE, 'msgsize'], [ERR.STATE, 'state'], [ERR.BADF, 'badf'],
  [ERR.ISCONN, 'isconn'], [ERR.ABORTED, 'aborted'],
  [ERR.NOTFOUND, 'notfound'],
]);

/** The code name of a negative synack_err ('error' when unknown). */
export function errorCode(err) {
  return CODE_NAMES.get(err) ?? 'error';
}

/** A SynackError for synack_err `err`, with `what` saying what failed. */
export function errorFrom(err, what) {
  const code = errorCode(err);
  return new SynackError(code, `${what}: ${code === 'timeout' ? 'timed out' : code}`);
}
