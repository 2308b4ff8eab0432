#!/bin/sh
# Runs nginx in the foreground on $PORT (HTTP/1.1) and, when H2C_PORT is set in the environment,
# on that port too with HTTP/2 prior knowledge, so h2load can reach the same process directly.
set -eu
here=$(pwd)
mkdir -p "$here/www" "$here/tmp"
# 64 bytes: a small body, so the proxies' per-request cost dominates, not copying.
printf 'hello from the bench/proxy backend, 64 bytes of body...........\n' > "$here/www/index.html"
printf 'ok\n' > "$here/www/healthz"
# As root, nginx's workers would switch to nobody, who cannot read the agent's private directory.
user=""
[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
h2c=""
[ -n "${H2C_PORT:-}" ] && h2c="listen 127.0.0.1:${H2C_PORT} http2;"
sed -e "s|@USER@|${user}|g" -e "s|@PORT@|${PORT}|g" -e "s|@H2C@|${h2c}|g" -e "s|@HERE@|${here}|g" nginx.conf.in > nginx.conf
exec nginx -p "$here" -c "$here/nginx.conf" -e "$here/error.log" -g 'daemon off;'
