// Types of synack.mjs, the JavaScript API of the synack userspace TCP/IP
// stack (DESIGN.md, CONTRACT: JavaScript API). Sockets follow the shape of
// the WinterTC Sockets API (connect() as in Cloudflare Workers and Deno).

/** Error codes of SynackError. */
export type SynackErrorCode =
  | 'refused' | 'reset' | 'timeout' | 'unreachable' | 'closed' | 'aborted'
  | 'notfound' | 'invalid' | 'nomem' | 'addrinuse' | 'msgsize' | 'state'
  | 'notconn' | 'isconn' | 'badf' | 'again' | 'link-down' | 'unsupported' | 'tls' | 'error';

/** One address of stack.lookup(name, { all: true }), as in Node's dns.lookup. */
export interface LookupAddress {
  address: string;
  family: 4 | 6;
}

/** Why a TLS connection failed (SynackError code 'tls'). */
export type TlsFailureReason =
  | 'untrusted' | 'name' | 'expired' | 'version' | 'handshake' | 'certificate'
  | 'protocol' | 'closed' | 'config' | 'memory' | 'load';

/** Every failure reported by the stack. */
export class SynackError extends Error {
  constructor(code: SynackErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'SynackError';
  /** 'refused' (RST or ICMP port unreachable), 'reset', 'timeout', 'unreachable', ... */
  readonly code: SynackErrorCode;
  /** With code 'tls': why (untrusted certificate, name mismatch, expired, ...). */
  readonly reason?: TlsFailureReason;
}

/** Bytes accepted by writes and sends (strings are sent as UTF-8). */
export type BytesLike = Uint8Array | ArrayBufferView | ArrayBuffer | string;

/**
 * A link: where a stack's frames go. A custom link needs only send(); the
 * stack sets onframe (or calls attach()) to receive frames.
 */
export interface Link {
  /** Send one frame (Ethernet, or a raw IPv4 packet when medium is 'ip'). */
  send(frame: Uint8Array): void;
  /** Set by createStack: call it with each received frame. */
  onframe?: ((frame: Uint8Array) => void) | null;
  /** Alternative to onframe: called once with the receive function. */
  attach?(receive: (frame: Uint8Array) => void): void;
  /** IP MTU, 68..65535 (default 1500). */
  mtu?: number;
  /** 'ethernet' (default, with ARP) or 'ip' (raw IPv4 packets). */
  medium?: 'ethernet' | 'ip';
  /** When present, createStack waits for it. */
  ready?: Promise<void>;
  /** When present and it rejects, the stack dispatches 'linkerror'. */
  closed?: Promise<void>;
  /** Called by Stack.close(). */
  close?(): void;
  /**
   * Optional: room for an outgoing frame of len bytes. The stack copies the
   * frame into it and then passes it to send(); the link must not hand the
   * same bytes out again while the frame may still be read. Without it
   * (or when it returns undefined) the stack allocates each frame.
   */
  frameBuffer?(len: number): Uint8Array | undefined;
}

/** Impairment options of PairLink.pair(); each direction gets its own generator. */
export interface PairLinkOptions {
  /** One-way delay, ms. */
  delay?: number;
  /** Uniform extra delay 0..jitter ms (may reorder). */
  jitter?: number;
  /** Probability 0..1 that a frame is lost. */
  loss?: number;
  /** Probability that a frame is held back by 1..max(delay, 10) ms. */
  reorder?: number;
  /** Probability that a frame is delivered twice. */
  duplicate?: number;
  /** Probability that one byte of a frame is flipped. */
  corrupt?: number;
  /** Serialization rate in Mbit/s (0 or absent: unlimited). */
  rateMbit?: number;
  /** Rate-limit queue in bytes (tail drop); default 1 MiB. */
  queueBytes?: number;
  /** Seed of the impairments (same seed, same run). */
  seed?: number;
  /** IP MTU, 68..65535; default 1500. */
  mtu?: number;
  /**
   * TCP super-frames (send offload, up to 64 KB) between the two stacks
   * when both ends are synack stacks and no loss, duplication, corruption,
   * reordering or rate limit is set; default true. false: MTU-sized frames
   * only (what the stacks would send on a real wire).
   */
  offload?: boolean;
}

/** Impairment counters of one direction (a super-frame counts as one frame). */
export interface PairLinkStats {
  frames: number;
  lost: number;
  duplicated: number;
  corrupted: number;
  reordered: number;
  queueDrops: number;
}

/** One end of a PairLink. */
export interface PairLinkEnd extends Link {
  readonly mtu: number;
  readonly medium: 'ethernet';
  /** Counters of the direction this end sends on. */
  stats(): PairLinkStats;
  /** Detach this end; frames to and from it are dropped. */
  close(): void;
}

/** A virtual wire between two stacks in one page or process. */
export class PairLink {
  /** The two ends [a, b] of a new wire. */
  static pair(options?: PairLinkOptions): [PairLinkEnd, PairLinkEnd];
}

export interface WebSocketLinkOptions {
  /** WebSocket subprotocols; default ['binary'] (websockify). */
  protocols?: string | string[];
  mtu?: number;
  medium?: 'ethernet' | 'ip';
  /** Ask synack-bridge --offload to take TCP super-frames (default false). */
  offload?: boolean;
  /** A WebSocket constructor for runtimes without a global one. */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
}

/**
 * Frames over one WebSocket to a bridge (websockify in front of
 * synack-bridge), with the 4-byte big-endian length framing of DESIGN.md.
 */
export class WebSocketLink implements Link {
  constructor(url: string | URL, options?: WebSocketLinkOptions);
  readonly url: string;
  readonly mtu: number;
  readonly medium: 'ethernet' | 'ip';
  readonly offload: boolean;
  onframe: ((frame: Uint8Array) => void) | null;
  /** Resolves once connected; rejects with SynackError 'unreachable'. */
  readonly ready: Promise<void>;
  /** Resolves after close(); rejects with SynackError 'link-down' when the bridge drops or breaks the framing. */
  readonly closed: Promise<void>;
  readonly framesIn: number;
  readonly framesOut: number;
  /** WebSocket messages received and sent (all frames of one run of JavaScript go in one message). */
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Queue a frame; it goes out with the others of this run of JavaScript (keep it unchanged). */
  send(frame: Uint8Array): void;
  /** Send what is pending, then close. */
  close(): void;
}

/** Reassembles length-prefixed frames from arbitrary chunks of a stream. */
export class FrameReader {
  /** Sticky: a length of 0 or above 65535 was seen. */
  readonly error: boolean;
  /** Whether part of a frame is buffered. */
  readonly partial: boolean;
  /** Feed bytes; returns false on a framing error. A frame may be a view into `bytes`. */
  feed(bytes: Uint8Array, onFrame: (frame: Uint8Array) => void): boolean;
}

/** A frame with its 4-byte big-endian length (throws RangeError for 0 or > 65535 bytes). */
export function encodeFrame(frame: Uint8Array): Uint8Array;

/** TCP settings for a stack's new sockets. */
export interface TcpOptions {
  /** Connection limit (default 1024). */
  maxConnections?: number;
  /** Largest send buffer per connection, bytes (default 256 KiB; it grows with need up to this). */
  sendBuffer?: number;
  /** Largest receive buffer per connection, bytes (default 256 KiB; it grows with need up to this). */
  receiveBuffer?: number;
  /**
   * Budget for the buffers of all TCP connections together, bytes (default
   * 16 MiB). Buffers start small and grow with need up to sendBuffer and
   * receiveBuffer; near the budget they stop growing, less window is
   * offered and out-of-order data is dropped first (counters().drops
   * 'tcp/mem-pressure', 'tcp/ooo-pruned').
   */
  maxBufferMemory?: number;
  /** SYN transmissions before 'timeout' (default 6). */
  synRetries?: number;
  /** Data retransmissions before 'timeout' (default 15). */
  dataRetries?: number;
  /** Initial RTO, ms (default 1000). */
  rtoInitial?: number;
  rtoMin?: number;
  rtoMax?: number;
  /** Maximum segment lifetime, ms; TIME-WAIT lasts 2 MSL (default 30000). */
  msl?: number;
  /** Delayed ACK timer, ms (default 40). */
  delayedAck?: number;
  /** Disable Nagle's algorithm. */
  noDelay?: boolean;
  /** Congestion control (default 'cubic'). */
  cc?: 'cubic' | 'newreno';
}

export interface StackOptions {
  /** Where frames go: a PairLink end, a WebSocketLink, or a custom Link. */
  link: Link;
  /** 'dhcp' (default: resolves once a lease is bound), 'A.B.C.D/LEN', or false for no IPv4. */
  ip?: 'dhcp' | string | false;
  /** Default gateway 'A.B.C.D' (static addressing). */
  gateway?: string;
  /**
   * IPv6: 'slaac' (default: a link-local address, and addresses from router
   * advertisements as they come; see waitAddress6), 'ADDR/LEN' (static;
   * resolves once duplicate address detection passed), or false (off).
   * A synack.wasm built with -DSYNACK_IPV6=OFF (IPv4 only) has IPv6 off
   * and rejects any ip6 but false with code 'invalid'.
   */
  ip6?: 'slaac' | string | false;
  /** IPv6 default gateway (static addressing; routers from advertisements come after it). */
  gateway6?: string;
  /**
   * 16 bytes (or 32 hex digits) keying the RFC 7217 identifiers of the
   * SLAAC and link-local addresses: a page that keeps it keeps its
   * addresses across reloads (with no `mac`, the MAC is derived from it).
   */
  stableSecret?: Uint8Array | string;
  /** ms to wait for duplicate address detection of a static IPv6 address (default 10000). */
  dadTimeout?: number;
  /** Resolver 'A.B.C.D' (takes precedence over DHCP's). */
  dns?: string;
  /** 'xx:xx:xx:xx:xx:xx'; default: random, locally administered. */
  mac?: string;
  /** Seeds the stack's randomness (ISNs, ports, IDs); default: random. */
  seed?: number;
  /** ms to wait for a DHCP lease (default 30000). */
  dhcpTimeout?: number;
  /** Produce trace events from the start. */
  trace?: boolean;
  udpMaxSockets?: number;
  /** ARP request retry interval, ms (default 1000). */
  arpRetryMs?: number;
  /** ARP requests before 'unreachable' (default 3). */
  arpRetries?: number;
  tcp?: TcpOptions;
}

/** A WinterTC SocketAddress. */
export interface SocketAddress {
  /** A name, an IPv4 address, or an IPv6 address (with or without brackets). */
  hostname: string;
  port: number;
}

export interface SocketOptions {
  /**
   * false (default, as in WinterTC): once the peer's FIN has been read and
   * the writable side has been idle for a task, our side is shut down too.
   * true: the writable side stays open until it is closed.
   */
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  /** ms of idle before the first keep-alive probe (the stack's default when absent). */
  keepAliveIdle?: number;
  sendBuffer?: number;
  receiveBuffer?: number;
  /** Bytes the readable stream queues in JS beyond the TCP receive buffer (default 65536). */
  highWaterMark?: number;
  /**
   * 'off' (default), 'on' (TLS 1.2 at once) or 'starttls' (plain, with
   * startTls() for later). TLS is synack-tls.mjs + synack-tls.wasm next to
   * synack.mjs, loaded on first use.
   */
  secureTransport?: 'off' | 'on' | 'starttls';
  /** ALPN protocol names, in preference order. */
  alpn?: string[];
  tls?: TlsOptions;
  /**
   * A host name is connected with Happy Eyeballs v2 (RFC 8305): AAAA and A
   * asked together, IPv6 first, a new attempt every `attemptDelay` ms
   * (default 250, clamped to 10..2000); the first to connect wins.
   */
  attemptDelay?: number;
}

/** TLS settings (PEM as text or bytes; several certificates may be concatenated). */
export interface TlsOptions {
  /** Client: the CA certificates to trust (required unless rejectUnauthorized is false). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Client: the name sent as SNI and checked against the certificate (default: the hostname). */
  servername?: string;
  /** Client: false skips every certificate check (insecure; default true). */
  rejectUnauthorized?: boolean;
  /** ms the handshake may take once TCP is connected (default 30000); then 'tls' / 'handshake'. */
  handshakeTimeout?: number;
  /** Client: offer ChaCha20-Poly1305 before AES-GCM (default true: software AES in wasm is slower). */
  preferChaCha20?: boolean;
  /** Server: certificate chain (leaf first) and private key (RSA, EC or PKCS#8). */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
}

/** What a TLS socket's `opened` resolves with. */
export interface TlsSocketInfo extends SocketInfo {
  /** 'TLSv1.2' */
  protocol: string;
  /** IANA name, e.g. 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'. */
  cipher: string;
  /** The ALPN protocol agreed on, or null. */
  alpn: string | null;
}

/** A TLS connection (secureTransport 'on', startTls(), a TLS listener). */
export interface SecureSocket {
  /** Decrypted bytes; errors with the connection's SynackError. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Closing it sends close_notify, which ends both directions (TLS 1.2 has no half-close). */
  readonly writable: WritableStream<BytesLike>;
  /** Resolves after the handshake; rejects with code 'tls' and a reason, or the TCP error. */
  readonly opened: Promise<TlsSocketInfo>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
  /** Of the TCP connection underneath: its handle, peer, and a snapshot. */
  readonly conn: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  info(): TcpInfo | null;
}

export interface ListenOptions extends SocketOptions {
  port: number;
  /** Accepted connections not yet taken (default 128). */
  backlog?: number;
  /**
   * true (default, as servers set SO_REUSEADDR): the port may be bound while
   * connections of an earlier listener still use it, e.g. in TIME-WAIT.
   * false: as a plain bind() on Linux, listen() throws a SynackError with
   * code 'addrinuse' until they are gone.
   */
  reuseAddr?: boolean;
  /** 'on': every accepted connection is a SecureSocket (needs tls.cert and tls.key). */
  secureTransport?: 'off' | 'on';
}

export interface SocketInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export type TcpStateName =
  | 'CLOSED' | 'LISTEN' | 'SYN-SENT' | 'SYN-RECEIVED' | 'ESTABLISHED' | 'FIN-WAIT-1'
  | 'FIN-WAIT-2' | 'CLOSE-WAIT' | 'CLOSING' | 'LAST-ACK' | 'TIME-WAIT';

/** Snapshot of a connection (synack_tcp_info). */
export interface TcpInfo extends SocketInfo {
  state: TcpStateName;
  snd_una: number; snd_nxt: number; snd_wnd: number; rcv_nxt: number; rcv_wnd: number;
  cwnd: number; ssthresh: number; srtt: number; rttvar: number; rto: number;
  mss: number; sndbuf: number; rcvbuf: number;
  bytesSent: number; bytesReceived: number; rexmitSegs: number; rexmitBytes: number;
}

/** A TCP connection (WinterTC Socket). */
export class TcpSocket {
  private constructor();
  /**
   * Received bytes; errors with the connection's SynackError. A byte
   * stream where the runtime has them: getReader({ mode: 'byob' }) copies
   * the bytes straight into the caller's buffer (no chunk allocated).
   */
  readonly readable: ReadableStream<Uint8Array>;
  /** close() sends FIN after the queued data; abort() resets the connection (RST). */
  readonly writable: WritableStream<BytesLike>;
  /** Resolves once connected; rejects with 'refused', 'timeout', 'unreachable', 'notfound', ... */
  readonly opened: Promise<SocketInfo>;
  /** Resolves when closed; rejects with the error that ended the connection. */
  readonly closed: Promise<void>;
  /** The connection's handle: the `conn` of its trace events (-1 before one exists). */
  readonly conn: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** A snapshot of the connection, null once released. */
  info(): TcpInfo | null;
  /**
   * Change options of a connection that has a handle (after `opened`):
   * keepAliveIdle is the idle time in ms before the first probe. Returns
   * false, changing nothing, before the handle exists or once released.
   */
  setOptions(options: { noDelay?: boolean; keepAlive?: boolean; keepAliveIdle?: number }): boolean;
  /** Close both directions (RST if received data was left unread). Returns `closed`. */
  close(): Promise<void>;
  /**
   * With secureTransport 'starttls': TLS on this connection from now on,
   * as a new socket (this one is then its transport: use only the new one).
   */
  startTls?(options?: { alpn?: string[]; tls?: TlsOptions }): SecureSocket;
}

/** A listening socket: an async iterable of accepted connections. */
export class TcpServer implements AsyncIterable<TcpSocket> {
  private constructor();
  readonly port: number;
  /** The next connection; rejects with 'closed' once the server is closed. */
  accept(): Promise<TcpSocket>;
  [Symbol.asyncIterator](): AsyncIterableIterator<TcpSocket>;
  /** Stop listening; accepted connections stay open. */
  close(): void;
}

export interface UdpMessage {
  data: Uint8Array;
  address: string;
  port: number;
}

/** A UDP socket; ICMP errors are dispatched as 'error' events (detail: SynackError). */
export class UdpSocket extends EventTarget implements AsyncIterable<UdpMessage> {
  private constructor();
  readonly port: number;
  /** Send one datagram (up to 65507 bytes); `address` may be a host name. */
  send(address: string, port: number, data: BytesLike): Promise<void>;
  receive(): Promise<UdpMessage>;
  [Symbol.asyncIterator](): AsyncIterableIterator<UdpMessage>;
  close(): void;
}

export interface PingOptions {
  /** ms (default 1000). */
  timeout?: number;
  /** Payload bytes (default 56). */
  size?: number;
  seq?: number;
}

export interface PingReply {
  address: string;
  seq: number;
  bytes: number;
  /** Round-trip time, ms. */
  rtt: number;
}

/** Trace events (DESIGN.md, CONTRACT: trace events): the objects of `synack --trace`. */
export type TraceEvent =
  | { t: number; ev: 'seg'; conn: number; dir: 'in' | 'out'; flags: string; seq: number; ack: number;
      win: number; len: number; rexmit: boolean;
      opts: { mss?: number; ws?: number; sackok?: boolean; ts?: [number, number]; sack?: [number, number][] } }
  | { t: number; ev: 'state'; conn: number; from: TcpStateName; to: TcpStateName }
  | { t: number; ev: 'cc'; conn: number; cwnd: number; ssthresh: number; srtt: number; rttvar: number;
      rto: number; inflight: number; phase: 'slow-start' | 'avoidance' | 'recovery' }
  | { t: number; ev: 'win'; conn: number; snd_una: number; snd_nxt: number; snd_wnd: number;
      rcv_nxt: number; rcv_wnd: number; sndbuf: number; rcvbuf: number }
  | { t: number; ev: 'timer'; conn: number; name: 'rexmit' | 'persist' | 'keepalive' | 'delack' | 'time-wait' | 'rack' | 'tlp';
      action: 'set' | 'fired' | 'cleared'; at: number }
  | { t: number; ev: 'drop'; conn?: number; layer: string; reason: string }
  | { t: number; ev: 'error'; conn: number; code: 'refused' | 'reset' | 'timeout' | 'unreachable' }
  | { t: number; ev: 'neigh'; addr: string; mac: string; from: NeighState; to: NeighState }
  | { t: number; ev: 'addr'; addr: string; plen: number; origin: 'link-local' | 'static' | 'slaac';
      from: 'none' | Ip6AddrState; to: 'removed' | Ip6AddrState }
  | { t: number; ev: 'router'; addr: string; action: 'added' | 'removed'; lifetime?: number; pref?: -1 | 0 | 1 }
  | { t: number; ev: 'pmtu'; dst: string; mtu: number };

/** Neighbour states in 'neigh' trace events (RFC 4861 names; NONE and FAILED: no entry). */
export type NeighState = 'NONE' | 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED';
/** IPv6 address states in 'addr' trace events (RFC 4862). */
export type Ip6AddrState = 'tentative' | 'preferred' | 'deprecated' | 'duplicate';

export interface Counters {
  frames_in: number; frames_out: number; bytes_in: number; bytes_out: number;
  ip_in: number; ip_out: number; ip_frags_out: number; ip_reassembled: number;
  tcp_segs_in: number; tcp_segs_out: number; tcp_rexmit_segs: number; tcp_rexmit_bytes: number;
  tcp_challenge_acks: number; tcp_syn_cookies_sent: number; drops_total: number;
  ip6_in: number; ip6_out: number; ip6_frags_out: number; ip6_reassembled: number;
  /** Non-zero drop counts by 'layer/reason'. */
  drops: Record<string, number>;
}

export interface DhcpLease {
  address: string;
  gateway: string | null;
  dns: string[];
  server: string | null;
  prefix: number;
  leaseSeconds: number;
}

/** An address in use (Stack.addresses). */
export interface InterfaceAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  prefix: number;
  /** RFC 4862 section 2 (IPv4 addresses are always 'preferred'). */
  state: 'tentative' | 'preferred' | 'deprecated' | 'duplicate';
  origin: 'static' | 'dhcp' | 'link-local' | 'slaac';
  /** IPv6: stack ms the address expires / is deprecated (Infinity: never). */
  validUntil?: number;
  preferredUntil?: number;
}

export interface StackEventMap {
  trace: CustomEvent<TraceEvent>;
  linkerror: CustomEvent<SynackError>;
}

/** A userspace TCP/IP stack. */
export class Stack extends EventTarget {
  private constructor();
  /** Our address (null while DHCP has none). */
  readonly address: string | null;
  readonly prefix: number;
  readonly gateway: string | null;
  readonly dns: string | null;
  /** Every address in use, IPv4 first, with its state. */
  readonly addresses: InterfaceAddress[];
  /** Our preferred IPv6 address beyond link-local (static or SLAAC), or null. */
  readonly address6: string | null;
  /** The static IPv6 gateway, or null. */
  readonly gateway6: string | null;
  readonly mac: string;
  /** Whether the bridge agreed to take TCP super-frames, IPv4 or IPv6 (a link with offload: true). */
  readonly offloadActive: boolean;
  /** Whether close() was called. */
  readonly closed: boolean;
  /** Whether trace events are produced (turned on by the first 'trace' listener). */
  trace: boolean;
  /** The stack's clock, ms (the `t` of trace events). */
  now(): number;
  /** Open a TCP connection; `opened` settles later. */
  connect(address: SocketAddress | string, options?: SocketOptions & { secureTransport?: 'off' | 'starttls' }): TcpSocket;
  connect(address: SocketAddress | string, options: SocketOptions & { secureTransport: 'on' }): SecureSocket;
  /** Listen for TCP connections. */
  listen(options: ListenOptions): TcpServer; /* yields SecureSockets with secureTransport 'on' */
  /** A UDP socket (port 0 or absent: ephemeral). */
  udp(options?: { port?: number }): UdpSocket;
  /** ICMP echo; rejects with 'timeout' or 'unreachable'. */
  ping(host: string, options?: PingOptions): Promise<PingReply>;
  /**
   * Resolve a name as Node's dns.lookup does: family 4 (A), 6 (AAAA) or 0
   * (both, the default; ordered as connect() tries them: interleaved, IPv6
   * first unless there is no IPv6 route). The first address, or with
   * `all: true` every one. Rejects with 'notfound' (no such name, or no
   * address of the family), 'timeout', 'refused', 'unreachable', 'invalid'.
   */
  lookup(hostname: string, options?: { family?: 0 | 4 | 6; all?: false }): Promise<string>;
  lookup(hostname: string, options: { family?: 0 | 4 | 6; all: true }): Promise<LookupAddress[]>;
  /** Add a static IPv6 address 'ADDR/LEN' (and the IPv6 gateway). */
  addAddress6(cidr: string, gateway6?: string): void;
  /** Wait for an IPv6 address beyond link-local; rejects 'timeout' or 'addrinuse'. */
  waitAddress6(options?: { timeout?: number }): Promise<string>;
  counters(): Counters;
  lease(): DhcpLease | null;
  setAddress(cidr: string, gateway?: string): void;
  setDns(server: string | null): void;
  /** Free the stack: its sockets fail with 'closed', its link is closed. */
  close(): void;
  addEventListener<K extends keyof StackEventMap>(type: K,
    listener: (ev: StackEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
}

/** Create a stack on a link. */
export function createStack(options: StackOptions): Promise<Stack>;

/**
 * Where the wasm binary comes from (default: synack.wasm next to this
 * module). Call before the first createStack().
 */
export function setWasmSource(source: string | URL | Response | BufferSource | WebAssembly.Module): void;
