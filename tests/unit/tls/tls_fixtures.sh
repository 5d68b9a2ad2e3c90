#!/usr/bin/env bash
# Makes tests/unit/tls/tls_fixtures.h (the certificates of test_tls*.c). Run by
# hand only when they must change; the header is committed. Needs openssl.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/tls_fixtures.h"
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT; cd "$w"
ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; }
ec ca; ec other; ec leaf
openssl req -x509 -new -key ca.key -subj "/CN=synack test CA" -days 36500 -out ca.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -new -key other.key -subj "/CN=synack other CA" -days 36500 -out other.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -new -key leaf.key -subj "/CN=server.test" -out leaf.csr
printf 'subjectAltName=DNS:server.test\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' > ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 -extfile ext -out leaf.pem
openssl genrsa -out rsa.key 2048 2>/dev/null
openssl req -new -key rsa.key -subj "/CN=server.test" -out rsa.csr
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 -extfile ext -out rsa.pem
openssl pkcs8 -topk8 -nocrypt -in leaf.key -out leaf.p8
python3 - "$out" <<'PY'
import sys
files = [("CA", "ca.pem"), ("OTHER_CA", "other.pem"), ("LEAF", "leaf.pem"),
         ("LEAF_KEY", "leaf.key"), ("LEAF_KEY_P8", "leaf.p8"),
         ("RSA_LEAF", "rsa.pem"), ("RSA_KEY", "rsa.key")]
out = ["/*", " * Test certificates for test_tls*.c, made once with OpenSSL 3.0 by",
       " * tests/unit/tls/tls_fixtures.sh (EC P-256 CA valid 2026-12-06..2126, a second",
       " * CA, a leaf for DNS:server.test with its key as SEC1 and PKCS#8, an RSA-2048",
       " * leaf from the same CA). Test keys only: they protect nothing.",
       " * Generated: do not edit.", " */",
       "#ifndef SYNACK_TLS_FIXTURES_H", "#define SYNACK_TLS_FIXTURES_H", ""]
for n, f in files:
    out.append("static const char TLS_FX_%s[] =" % n)
    for line in open(f).read().splitlines():
        out.append('    "%s\\n"' % line)
    out[-1] += ";"
    out.append("")
out.append("#endif")
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
