#!/usr/bin/env python3
"""--token: a client's first frame must be the secret's bytes; a wrong
token, or none within --auth-timeout, closes it, and it sees no frames
before. --max-clients: connections past the cap are closed at once."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("token")
SECRET = b"correct horse battery staple"
tf = tempfile.NamedTemporaryFile(delete=False)
tf.write(SECRET + b"\n")
tf.close()
b = Bridge("--token-file", tf.name, "--auth-timeout", "700")
try:
    a = Client(b.port, token=SECRET)
    bb = Client(b.port, token=SECRET)
    waiting = Client(b.port)  # has not sent its token yet
    b.wait_active(2)
    a.send(arp_request(mac(1), "10.0.2.50", "10.0.2.51"))
    t.check("authenticated clients talk", bb.recv_match(lambda e: e.haslayer(ARP)) is not None)
    t.check("a client without its token yet gets nothing", waiting.recv(0.3) is None)
    wrong = Client(b.port, token=b"correct horse battery stapl")
    t.check("wrong token (a prefix): closed", wrong.is_closed(2))
    wrong2 = Client(b.port)
    wrong2.send(arp_request(mac(3), "10.0.2.52", "10.0.2.51"))
    t.check("a frame instead of the token: closed", wrong2.is_closed(2))
    t.check("no token in time: closed", waiting.is_closed(3))
    a.send(arp_request(mac(1), "10.0.2.50", "10.0.2.52"))
    t.check("the others are undisturbed", bb.recv_match(lambda e: e.haslayer(ARP) and e[ARP].pdst == "10.0.2.52") is not None)
    reasons = sorted(r for _, r in b.closed_reasons())
    t.check("reasons logged", reasons == ["bad_token", "bad_token", "token_timeout"], str(reasons))
finally:
    b.cleanup()
    os.unlink(tf.name)

b = Bridge("--max-clients", "2")
try:
    c1, c2 = Client(b.port), Client(b.port)
    b.wait_active(2)
    c3 = Client(b.port)
    t.check("third client over --max-clients 2 is closed", c3.is_closed(2))
    c1.send(arp_request(mac(1), "10.0.2.50", "10.0.2.51"))
    t.check("the first two still work", c2.recv_match(lambda e: e.haslayer(ARP)) is not None)
    c1.close()
    time.sleep(0.3)
    c4 = Client(b.port)
    c4.send(arp_request(mac(4), "10.0.2.54", "10.0.2.51"))
    t.check("a slot freed by a leaving client is reused", c2.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == "10.0.2.54") is not None)
    _, totals = b.stats()
    t.check("refused_full counted", totals["refused_full"] == "1", str(totals))
finally:
    b.cleanup()
t.done()
