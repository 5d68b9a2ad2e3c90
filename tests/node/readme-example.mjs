import { createStack, PairLink } from './synack.mjs';
const [a, b] = PairLink.pair({ delay: 10, loss: 0.01, seed: 1 });  // one virtual wire
const server = await createStack({ link: b, ip: '10.9.0.2/24' });
const client = await createStack({ link: a, ip: '10.9.0.1/24' });
(async () => { for await (const s of server.listen({ port: 7 })) s.readable.pipeTo(s.writable); })();
const sock = client.connect({ hostname: '10.9.0.2', port: 7 });
await sock.opened;                         // rejects with code 'refused', 'timeout', ...
const w = sock.writable.getWriter(); await w.write(new TextEncoder().encode('hello over synack\n')); await w.close();
for await (const chunk of sock.readable) process.stdout.write(chunk);
client.close(); server.close();
