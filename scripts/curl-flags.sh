# The configure flags of Debian's curl 7.88 for the two wasm ports (WASI in
# build-wasi-ports.sh, Emscripten in build-em-ports.sh): HTTP only, no TLS
# or compression, IPv6 on. Sourced by both scripts; part of both cache keys.
# ac_cv_header_sys_un_h=no: wasi-libc's sockaddr_un has no sun_path.
CURL_PORT_FLAGS=(
  --disable-shared --enable-static --disable-dependency-tracking --disable-ftp
  --disable-file --disable-mime --disable-alt-svc --without-ssl --without-zlib --without-brotli
  --without-zstd --without-libpsl --without-libidn2 --without-nghttp2
  --without-librtmp --without-libssh2 --without-libgsasl --disable-threaded-resolver
  --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet
  --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp
  --disable-gopher --disable-mqtt --disable-manual --disable-ntlm
  --disable-unix-sockets --enable-ipv6 --disable-socketpair --without-ca-bundle
  --without-ca-path --disable-netrc ac_cv_header_sys_un_h=no
)
