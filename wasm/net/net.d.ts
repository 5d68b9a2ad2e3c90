/*
 * synack/net — the client-facing surface of node:net over a synack stack.
 * The types follow @types/node's net module; what differs is the `stack`
 * option and setDefaultStack(). See docs/net.md for what is and is not
 * supported.
 */
/// <reference types="node" />
import type { Duplex, DuplexOptions } from 'node:stream';
import type { EventEmitter } from 'node:events';
import type { Stack, TcpSocket } from './synack.js';

/** Set the stack used by sockets and servers created without `stack`. */
export function setDefaultStack(stack: Stack | null): void;
/** The stack set with setDefaultStack(), or null. */
export function getDefaultStack(): Stack | null;

export interface SocketConstructorOptions extends Pick<DuplexOptions, 'highWaterMark' | 'readableHighWaterMark' | 'writableHighWaterMark'> {
  /** The stack this socket runs on (default: setDefaultStack's). */
  stack?: Stack;
  /** Keep our sending side open after the peer's FIN (default false). */
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface TcpConnectOptions {
  port: number | string;
  /** An IPv4 or IPv6 address or a name resolved by the stack's DNS (default 'localhost'). */
  host?: string;
  /** Address family asked of `lookup` (0: either). */
  family?: 0 | 4 | 6;
  /** node:net's lookup(hostname, options, cb). */
  lookup?: (hostname: string, options: { family: number; all: boolean },
    cb: (err: Error | null, address: string, family: number) => void) => void;
  /** Idle time-out in ms: emits 'timeout' (see setTimeout). */
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  stack?: Stack;
}

export interface NetConnectOptions extends TcpConnectOptions, SocketConstructorOptions {}

export interface AddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

export type SocketReadyState = 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed';

/**
 * A TCP connection over synack with node:net's events ('lookup', 'connect',
 * 'ready', 'data', 'end', 'close' (hadError), 'error', 'timeout', 'drain')
 * and errors (code ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH,
 * ENOTFOUND, ... with errno, syscall, address, port).
 */
export class Socket extends Duplex {
  constructor(options?: SocketConstructorOptions);
  readonly stack: Stack | null;
  /** The synack socket underneath (null before connect()). */
  readonly tcpSocket: TcpSocket | null;
  connect(options: TcpConnectOptions, connectionListener?: () => void): this;
  connect(port: number, host?: string, connectionListener?: () => void): this;
  connect(port: number, connectionListener?: () => void): this;
  setNoDelay(noDelay?: boolean): this;
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  setTimeout(timeout: number, callback?: () => void): this;
  ref(): this;
  unref(): this;
  resetAndDestroy(): this;
  destroySoon(): void;
  address(): AddressInfo | {};
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteFamily?: 'IPv4';
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly localFamily?: 'IPv4';
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly bufferSize: number;
  readonly connecting: boolean;
  readonly pending: boolean;
  readonly readyState: SocketReadyState;
  readonly timeout?: number;
  /** The Server that accepted this socket (null for a client). */
  server: Server | null;
}

export interface ServerOpts {
  stack?: Stack;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
}

export interface ListenOptions {
  /** 0 or absent: a free port in 49152-65535. */
  port?: number;
  host?: string;
  backlog?: number;
  stack?: Stack;
}

/** A TCP server: 'listening', 'connection', 'close', 'error' (EADDRINUSE), 'drop'. */
export class Server extends EventEmitter {
  constructor(connectionListener?: (socket: Socket) => void);
  constructor(options?: ServerOpts, connectionListener?: (socket: Socket) => void);
  listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, hostname?: string, listeningListener?: () => void): this;
  listen(port?: number, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, listeningListener?: () => void): this;
  listen(options: ListenOptions, listeningListener?: () => void): this;
  close(callback?: (err?: Error) => void): this;
  address(): AddressInfo | null;
  getConnections(cb: (error: Error | null, count: number) => void): this;
  ref(): this;
  unref(): this;
  maxConnections: number | undefined;
  readonly listening: boolean;
}

export function createServer(connectionListener?: (socket: Socket) => void): Server;
export function createServer(options?: ServerOpts, connectionListener?: (socket: Socket) => void): Server;
export function createConnection(options: NetConnectOptions, connectionListener?: () => void): Socket;
export function createConnection(port: number, host?: string, connectionListener?: () => void): Socket;
export function createConnection(port: number, connectionListener?: () => void): Socket;
export const connect: typeof createConnection;
export function isIP(input: string): 0 | 4 | 6;
export function isIPv4(input: string): boolean;
export function isIPv6(input: string): boolean;

declare const net: {
  Socket: typeof Socket; Server: typeof Server; createConnection: typeof createConnection;
  connect: typeof createConnection; createServer: typeof createServer; isIP: typeof isIP;
  isIPv4: typeof isIPv4; isIPv6: typeof isIPv6; setDefaultStack: typeof setDefaultStack;
  getDefaultStack: typeof getDefaultStack;
};
export default net;
