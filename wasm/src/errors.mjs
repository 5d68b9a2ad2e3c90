/*
 * Errors of the JavaScript API. Every failure that the stack reports is a
 * SynackError whose `code` names it the way DESIGN.md does ('refused',
 * 'reset', 'timeout', 'unreachable', ...), so callers can tell a refused
 * connection from a timed-out one without parsing messages.
 */

/** An error from the stack: `code` is a short stable name. */
export class SynackError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'SynackError';
    this.code = code;
  }
}

/* synack_err values (core/include/synack/synack.h) and their codes. */
export const ERR = Object.freeze({
  OK: 0, INVAL: -1, NOMEM: -2, AGAIN: -3, ADDRINUSE: -4, NOTCONN: -5,
  REFUSED: -6, RESET: -7, TIMEOUT: -8, UNREACHABLE: -9, CLOSED: -10,
  MSGSIZE: -11, STATE: -12, BADF: -13, ISCONN: -14, ABORTED: -15,
  NOTFOUND: -16,
});

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
