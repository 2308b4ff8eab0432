#!/bin/sh
# Runs nginx in the foreground on $PORT (HTTP/1.1). When set in the environment, also: H2C_PORT
# (HTTP/2 prior knowledge) and TLS_PORT with TLS_CERT/TLS_KEY (HTTPS), so the benchmark can reach
# the same process directly for every scenario.
set -eu
here=$(pwd)
mkdir -p "$here/www" "$here/tmp"
# 64 bytes: a small body, so the proxies' per-request cost dominates, not copying.
printf 'hello from the bench/proxy backend, 64 bytes of body...........\n' > "$here/www/index.html"
# 16 KiB: the body of the body16k scenario.
head -c 16384 /dev/zero | tr '\0' 'x' > "$here/www/16k"
# The raw TCP bulk scenario downloads this (sparse: no disk needed, zeros on the wire).
rm -f "$here/www/bulk"
truncate -s "${BULK_MB:-256}M" "$here/www/bulk"
printf 'ok\n' > "$here/www/healthz"
# As root, nginx's workers would switch to nobody, who cannot read the agent's private directory.
user=""
[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
h2c=""
[ -n "${H2C_PORT:-}" ] && h2c="listen 127.0.0.1:${H2C_PORT} http2;"
tls=""
# nginx 1.22 offers no TLS 1.3 unless told (its default gained it in 1.23.4).
[ -n "${TLS_PORT:-}" ] && tls="listen 127.0.0.1:${TLS_PORT} ssl; ssl_protocols TLSv1.2 TLSv1.3; ssl_certificate ${TLS_CERT}; ssl_certificate_key ${TLS_KEY};"
sed -e "s|@USER@|${user}|g" -e "s|@PORT@|${PORT}|g" -e "s|@H2C@|${h2c}|g" -e "s|@TLS@|${tls}|g" -e "s|@HERE@|${here}|g" \
  nginx.conf.in > nginx.conf
exec nginx -p "$here" -c "$here/nginx.conf" -e "$here/error.log" -g 'daemon off;'
