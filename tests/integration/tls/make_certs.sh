#!/usr/bin/env bash
# Throwaway test PKI for the TLS suite, made with the `openssl` command (nothing is checked in).
#
#   make_certs.sh DIR               root CA (ca.pem, ca.key), intermediate CA (inter.pem,
#                                   inter.key) and a server certificate: server.pem (leaf only),
#                                   server.key, fullchain.pem (leaf + intermediate)
#   make_certs.sh DIR leaf NAME SERIAL CN [rsa]
#                                   one more server certificate NAME.pem / NAME.key (leaf +
#                                   intermediate in NAME-full.pem) from the same intermediate,
#                                   with the given hex serial and subject CN; an RSA-2048 key
#                                   with "rsa"
#
# Server certificates carry subjectAltName IP:127.0.0.1 and DNS:localhost, so clients verify
# them against the test root exactly as they would a real certificate. Keys are P-256 (fast)
# unless asked otherwise.
set -euo pipefail
dir="$1"
mode="${2:-all}"
cd "$dir"

key() {  # key FILE [rsa]
  if [ "${2:-}" = rsa ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
  else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  fi
}

leaf() {  # leaf NAME SERIAL CN [rsa]
  local name="$1" serial="$2" cn="$3"
  key "$name.key" "${4:-}"
  openssl req -new -key "$name.key" -subj "/O=wsrelay tests/CN=$cn" -out "$name.csr"
  cat >"$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
  openssl x509 -req -in "$name.csr" -CA inter.pem -CAkey inter.key -set_serial "0x$serial" \
    -days 2 -sha256 -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  cat "$name.pem" inter.pem >"$name-full.pem"
  rm -f "$name.csr" "$name.ext"
}

if [ "$mode" = all ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -subj "/O=wsrelay tests/CN=wsrelay test root" -days 2 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem
  key inter.key
  openssl req -new -key inter.key -subj "/O=wsrelay tests/CN=wsrelay test intermediate" -out inter.csr
  printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
  openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -set_serial 0x1001 -days 2 -sha256 \
    -extfile inter.ext -out inter.pem 2>/dev/null
  rm -f inter.csr inter.ext
  leaf server 2001 "wsrelay test server"
  mv server-full.pem fullchain.pem
else
  leaf "$3" "$4" "$5" "${6:-}"
fi
