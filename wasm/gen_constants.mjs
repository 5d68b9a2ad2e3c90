// Generates the JavaScript API's constants from the C sources, so that no
// number or name the core defines is copied into wasm/src by hand:
//   node gen_constants.mjs SYNACK_H NAMES_C GLUE_C FRAMING_H OUT.mjs
// SYNACK_H (core/include/synack/synack.h): error codes (enum synack_err),
// readiness bits (SYNACK_EV_*), socket options (enum synack_tcp_opt), TCP
// and DHCP states (their enums), counter names (struct synack_counters, in
// the order the glue copies them), address families (SYNACK_AF_*), IPv6
// address states and origins (their enums); NAMES_C
// (core/src/net/names.c): the RFC 9293 name of each TCP state; GLUE_C
// (wasm/glue.c): the indexes of the options array of synack_js_new (enum
// synack_js_opt), the values of its options (enums synack_js_ip6,
// synack_js_medium, synack_js_offload; SJ_DEFAULT), the slots of every
// multi-value result (each `enum synack_js_<name>_out`, members
// SJ_<PREFIX>_<FIELD>: OUT.<NAME>.<FIELD>) and the size of an address at
// the boundary (SJ_ADDR_LEN); FRAMING_H (core/link/framing.h): the stream
// framing's header length and largest frame. The output is an ES
// module that wasm/bundle.mjs bundles like the modules of wasm/src.
// Any shape it does not recognise is an error, never a silent guess.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [synackH, namesC, glueC, framingH, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node gen_constants.mjs SYNACK_H NAMES_C GLUE_C FRAMING_H OUT.mjs');
  process.exit(2);
}

function fail(msg) {
  console.error(`gen_constants: ${msg}`);
  process.exit(1);
}

/* Source text without comments. */
function uncomment(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/* The members of `[typedef] enum NAME { ... }` with their values (C rules:
 * an explicit value, else one more than the previous member). */
function enumMembers(text, name) {
  const m = text.match(new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`));
  if (!m) fail(`enum ${name} not found`);
  const members = [];
  let next = 0;
  for (const raw of m[1].split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const e = item.match(/^([A-Za-z_]\w*)\s*(?:=\s*(-?(?:0x[0-9a-fA-F]+|\d+)))?$/);
    if (!e) fail(`enum ${name}: cannot read member "${item}"`);
    const value = e[2] !== undefined ? Number(e[2]) : next;
    members.push([e[1], value]);
    next = value + 1;
  }
  return members;
}

/* { SUFFIX: value } for the members named PREFIX + SUFFIX. */
function byPrefix(members, prefix) {
  const o = {};
  for (const [name, value] of members)
    if (name.startsWith(prefix) && !name.endsWith('__COUNT')) o[name.slice(prefix.length)] = value;
  if (Object.keys(o).length === 0) fail(`no member starts with ${prefix}`);
  return o;
}

const h = uncomment(readFileSync(synackH, 'utf8'));
const names = readFileSync(namesC, 'utf8');
const glue = uncomment(readFileSync(glueC, 'utf8'));
const framing = uncomment(readFileSync(framingH, 'utf8'));

/* The stream framing (DESIGN.md, CONTRACT: stream framing). */
const FRAMING = {};
for (const m of framing.matchAll(/^#define\s+SYNACK_FRAME_(\w+)\s+(\d+)u?\s*$/gm)) FRAMING[m[1]] = Number(m[2]);
if (FRAMING.HDR_LEN === undefined || FRAMING.MAX === undefined) fail('SYNACK_FRAME_HDR_LEN/MAX not found');

const errMembers = enumMembers(h, 'synack_err');
const ERR = { OK: 0, ...byPrefix(errMembers, 'SYNACK_ERR_') };

const EV = {};
for (const m of h.matchAll(/^#define\s+SYNACK_EV_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$/gm))
  EV[m[1]] = Number(m[2]);
if (Object.keys(EV).length === 0) fail('no SYNACK_EV_* bits found');

const TCPOPT = byPrefix(enumMembers(h, 'synack_tcp_opt'), 'SYNACK_TCPOPT_');
const DHCP_STATE = byPrefix(enumMembers(h, 'synack_dhcp_state'), 'SYNACK_DHCP_');

const tcpStates = byPrefix(enumMembers(h, 'synack_tcp_state'), 'SYNACK_TCP_');
const stateName = new Map();
for (const m of names.matchAll(/case\s+SYNACK_TCP_(\w+):\s*return\s+"([^"]+)";/g))
  stateName.set(m[1], m[2]);
const TCP_STATES = [];
for (const [suffix, value] of Object.entries(tcpStates)) {
  if (!stateName.has(suffix)) fail(`names.c has no name for SYNACK_TCP_${suffix}`);
  TCP_STATES[value] = stateName.get(suffix);
}
if (TCP_STATES.some((n) => n === undefined) || TCP_STATES.length !== Object.keys(tcpStates).length)
  fail('TCP states are not 0..N-1');

const counters = h.match(/typedef\s+struct\s+synack_counters\s*\{([^}]*)\}\s*synack_counters;/);
if (!counters) fail('struct synack_counters not found');
const COUNTER_NAMES = [];
for (const decl of counters[1].split(';')) {
  const d = decl.trim();
  if (d === '') continue;
  const m = d.match(/^uint64_t\s+(.+)$/);
  if (!m) fail(`synack_counters: only uint64_t fields are copied, not "${d}"`);
  for (const n of m[1].split(',')) COUNTER_NAMES.push(n.trim());
}

const GLUE_OPT = byPrefix(enumMembers(glue, 'synack_js_opt'), 'SJ_OPT_');
const GLUE_IP6 = byPrefix(enumMembers(glue, 'synack_js_ip6'), 'SJ_IP6_');
const GLUE_MEDIUM = byPrefix(enumMembers(glue, 'synack_js_medium'), 'SJ_MEDIUM_');
const GLUE_OFFLOAD = byPrefix(enumMembers(glue, 'synack_js_offload'), 'SJ_OFFLOAD_');
const CC = byPrefix(enumMembers(h, 'synack_cc_algo'), 'SYNACK_CC_');
const dflt = glue.match(/^#define\s+SJ_DEFAULT\s+(0x[0-9a-fA-F]+|\d+)u?\s*$/m);
if (!dflt) fail('SJ_DEFAULT not found in the glue');
const DEFAULT = Number(dflt[1]);

/* The result layouts: enum synack_js_<name>_out, whose members share one
 * SJ_<PREFIX>_ and run 0..N-1 (a count member SJ_<PREFIX>__COUNT). */
const OUT = {};
for (const m of glue.matchAll(/enum\s+synack_js_(\w+)_out\s*\{/g)) {
  const members = enumMembers(glue, `synack_js_${m[1]}_out`);
  const prefix = members[0][0].match(/^SJ_[A-Z0-9]+_/)?.[0];
  if (!prefix || members.some(([n]) => !n.startsWith(prefix))) fail(`enum synack_js_${m[1]}_out: members do not share SJ_<PREFIX>_`);
  const slots = byPrefix(members, prefix);
  const values = Object.values(slots).sort((a, b) => a - b);
  if (values.some((v, i) => v !== i)) fail(`enum synack_js_${m[1]}_out: slots are not 0..N-1`);
  OUT[m[1].toUpperCase()] = slots;
}
if (Object.keys(OUT).length === 0) fail('no enum synack_js_*_out in the glue');

const AF = {};
for (const m of h.matchAll(/^#define\s+SYNACK_AF_(\w+)\s+(\d+)\s*$/gm)) AF[m[1]] = Number(m[2]);
if (AF.IP4 === undefined || AF.IP6 === undefined) fail('SYNACK_AF_IP4/IP6 not found');
const addrLen = glue.match(/^#define\s+SJ_ADDR_LEN\s+(\d+)\s*$/m);
if (!addrLen) fail('SJ_ADDR_LEN not found in the glue');
const ADDR_LEN = Number(addrLen[1]);

/* Lower-case names by value of an enum whose members are PREFIX + NAME, 0..N-1. */
function enumNames(members, prefix) {
  const list = [];
  for (const [suffix, value] of Object.entries(byPrefix(members, prefix))) list[value] = suffix.toLowerCase();
  if (list.some((n) => n === undefined)) fail(`${prefix}*: values are not 0..N-1`);
  return list;
}
const IP6_STATES = enumNames(enumMembers(h, 'synack_ip6_addr_state'), 'SYNACK_IP6_');
const IP6_ORIGINS = enumNames(enumMembers(h, 'synack_ip6_origin'), 'SYNACK_IP6_ORIGIN_')
  .map((n) => (n === 'linklocal' ? 'link-local' : n));

const freeze = (o) => `/* @__PURE__ */ Object.freeze(${JSON.stringify(o)})`;
const text = `// Generated by wasm/gen_constants.mjs from ${[synackH, namesC, glueC, framingH].map((p) => p.replace(/^.*\/(core|wasm)\//, '$1/')).join(', ')}; do not edit.

/** synack_err values (synack.h). */
export const ERR = ${freeze(ERR)};
/** Readiness bits SYNACK_EV_* (synack.h). */
export const EV = ${freeze(EV)};
/** Socket options, enum synack_tcp_opt (synack.h). */
export const TCPOPT = ${freeze(TCPOPT)};
/** RFC 9293 names by synack_tcp_state value (names.c). */
export const TCP_STATES = ${freeze(TCP_STATES)};
/** enum synack_dhcp_state (synack.h). */
export const DHCP_STATE = ${freeze(DHCP_STATE)};
/** synack_counters fields in declaration order (the glue copies them so). */
export const COUNTER_NAMES = ${freeze(COUNTER_NAMES)};
/** Indexes of the options array of synack_js_new (glue.c, enum synack_js_opt). */
export const GLUE_OPT = ${freeze(GLUE_OPT)};
/** Values of its IPv6 option (glue.c, enum synack_js_ip6). */
export const GLUE_IP6 = ${freeze(GLUE_IP6)};
/** Values of its medium option (glue.c, enum synack_js_medium). */
export const GLUE_MEDIUM = ${freeze(GLUE_MEDIUM)};
/** Values of its offload option (glue.c, enum synack_js_offload). */
export const GLUE_OFFLOAD = ${freeze(GLUE_OFFLOAD)};
/** An option left at the core's default (glue.c SJ_DEFAULT). */
export const GLUE_DEFAULT = ${DEFAULT};
/** Congestion control algorithms, enum synack_cc_algo (synack.h). */
export const CC = ${freeze(CC)};
/** Slots of the glue's multi-value results: OUT.<NAME>.<FIELD> from glue.c enum synack_js_<name>_out. */
export const OUT = ${freeze(OUT)};
/** Stream framing: header bytes and largest frame (framing.h SYNACK_FRAME_*). */
export const FRAMING = ${freeze(FRAMING)};
/** Address families SYNACK_AF_* (synack.h), the first byte of an address at the glue. */
export const AF = ${freeze(AF)};
/** Bytes of an address at the glue (glue.c SJ_ADDR_LEN). */
export const ADDR_LEN = ${ADDR_LEN};
/** IPv6 address states by value (synack.h enum synack_ip6_addr_state). */
export const IP6_STATES = ${freeze(IP6_STATES)};
/** IPv6 address origins by value (synack.h enum synack_ip6_origin). */
export const IP6_ORIGINS = ${freeze(IP6_ORIGINS)};
`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, text);
