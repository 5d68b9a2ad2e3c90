/*
 * synack/tls — the client half of node:tls (connect(), TLSSocket) over
 * synack/net and synack's own TLS (BearSSL in synack-tls.wasm). See
 * wasm/net/tls.mjs and docs/tls.md for what differs from node:tls.
 */
/// <reference types="node" />
import type { Socket, TcpConnectOptions } from './net.js';
import type { Stack } from './synack.js';

export interface ConnectionOptions extends Partial<TcpConnectOptions> {
  /** A synack/net Socket (connected or connecting) to run TLS over, e.g. after STARTTLS. */
  socket?: Socket;
  stack?: Stack;
  /** The name the certificate must carry (default: host when it is a name; required for IP hosts). */
  servername?: string;
  /** PEM trust anchors (default: setDefaultCA()'s). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** false skips certificate verification entirely (authorized stays false). Default true. */
  rejectUnauthorized?: boolean;
  ALPNProtocols?: Array<string | Uint8Array> | Uint8Array;
  /** ms before a silent server fails the handshake (default 30000). */
  handshakeTimeout?: number;
}

export interface CipherNameAndProtocol {
  name: string;
  standardName: string;
  version: string;
}

/** A TLS connection; 'secureConnect' once the handshake is done. */
export class TLSSocket extends Socket {
  readonly encrypted: true;
  authorized: boolean;
  authorizationError: string | null;
  /** The ALPN protocol chosen by the server, false when none; null before 'secureConnect'. */
  alpnProtocol: string | false | null;
  servername: string | null;
  /** The synack/net Socket underneath. */
  readonly socket: Socket;
  getProtocol(): string | null;
  getCipher(): CipherNameAndProtocol | null;
  getPeerCertificate(): Record<string, never>;
  getSession(): undefined;
  renegotiate(): false;
  on(event: 'secureConnect', listener: () => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once(event: 'secureConnect', listener: () => void): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
}

export function connect(options: ConnectionOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectionOptions, secureConnectListener?: () => void): TLSSocket;
export function connect(port: number, options?: ConnectionOptions, secureConnectListener?: () => void): TLSSocket;
/** PEM trust anchors for connect() calls without `ca` (e.g. synack/ca-bundle's). */
export function setDefaultCA(pem: string | Uint8Array | Array<string | Uint8Array> | null): void;
export function checkServerIdentity(hostname: string, cert: unknown): Error | undefined;
export const DEFAULT_MIN_VERSION: 'TLSv1.2';
export const DEFAULT_MAX_VERSION: 'TLSv1.2';

declare const tls: {
  connect: typeof connect;
  TLSSocket: typeof TLSSocket;
  setDefaultCA: typeof setDefaultCA;
  checkServerIdentity: typeof checkServerIdentity;
  DEFAULT_MIN_VERSION: 'TLSv1.2';
  DEFAULT_MAX_VERSION: 'TLSv1.2';
};
export default tls;
