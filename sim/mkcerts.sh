#!/bin/sh
# SPDX-License-Identifier: MIT
# sim/mkcerts.sh DIR - a throw-away CA and a server certificate for 127.0.0.1 (and localhost)
# for the simulated API server: writes DIR/ca.crt, DIR/ca.key, DIR/server.crt, DIR/server.key.
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
umask 077
days=${SIM_CERT_DAYS:-3650}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days "$days" \
    -subj "/CN=k3s-server-ca@$(date +%s)" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/O=k3s/CN=k3s" 2>/dev/null
printf '%s\n' \
    "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default" \
    > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/server.crt" -days "$days" -extfile "$dir/server.ext" 2>/dev/null
rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
chmod 644 "$dir/ca.crt" "$dir/server.crt"
