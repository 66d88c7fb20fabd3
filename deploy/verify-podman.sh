#!/usr/bin/env bash
# Runs the compose stack (deploy/compose.yaml) with a real container engine on a machine that reaches no image
# registry, and checks it from outside: what docs/OPERATIONS.md "Containers" says was verified.
#
#   sudo deploy/verify-podman.sh            # from the repository's root; about 10 minutes the first time
#
# Needs root and Debian's podman, runc, netavark, aardvark-dns and debootstrap (apt-get install -y podman runc
# netavark aardvark-dns debootstrap). The images compose names cannot be pulled here, so they are made:
#   - a base image: debootstrap bookworm (minbase) plus this machine's Node.js 20 binary, npm and headers, and
#     its CA bundle (npm and node-gyp reach the registry through it);
#   - certdesk:latest from deploy/Dockerfile with BASE set to that image;
#   - stand-ins for postgres:15-bookworm and nginx:stable-bookworm from Debian's postgresql-15 and nginx-light.
# Debian's podman-compose (1.0.3) cannot parse the file, so the services are started with podman commands that
# spell out compose.yaml: the same networks, volumes, socket, secrets and settings (scripts/deploy-files.test.ts
# checks the file itself).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/certdesk-podman-XXXXXX)
P=(podman --runtime /usr/sbin/runc --network-backend netavark)
PORT=18080
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
cleanup() {
  "${P[@]}" rm -f -t 1 cdv-nginx cdv-web1 cdv-web2 cdv-signer cdv-db >/dev/null 2>&1 || true
  "${P[@]}" network rm -f cdv_internal cdv_edge >/dev/null 2>&1 || true
  "${P[@]}" volume rm -f cdv_db cdv_ca cdv_sock >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# crun and the default ulimits do not run in this VM (cgroup v1 hybrid, setrlimit refused): runc, small limits.
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

if ! "${P[@]}" image exists localhost/certdesk-base:bookworm-node20; then
  echo "== base image (debootstrap bookworm + this machine's Node.js)"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$work/rootfs" -c . | "${P[@]}" import - localhost/bookworm-min:latest >/dev/null
  mkdir -p "$work/base"
  cp "$(command -v node)" "$work/base/node"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$work/base/npm"
  cp -a /usr/include/node "$work/base/include-node"
  cp /etc/ssl/certs/ca-certificates.crt "$work/base/ca.crt"
  cat >"$work/base/Containerfile" <<'EOF'
FROM localhost/bookworm-min:latest
COPY node /usr/bin/node
COPY npm /usr/lib/node_modules/npm
COPY include-node /usr/include/node
COPY ca.crt /usr/local/share/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt npm_config_cafile=/usr/local/share/host-ca.crt npm_config_nodedir=/usr
RUN ln -s /usr/lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm && node --version
EOF
  "${P[@]}" build "${ULIMITS[@]}" --network host -t localhost/certdesk-base:bookworm-node20 "$work/base" >/dev/null
fi
for stand_in in postgres nginx; do
  image=docker.io/library/$([ $stand_in = postgres ] && echo postgres:15-bookworm || echo nginx:stable-bookworm)
  "${P[@]}" image exists "$image" && continue
  echo "== stand-in $image from Debian packages"
  mkdir -p "$work/$stand_in"
  if [ $stand_in = postgres ]; then
    cat >"$work/postgres/entry.sh" <<'EOF'
set -e
mkdir -p "$PGDATA" /run/postgresql && chown -R postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  su postgres -c "initdb -D $PGDATA --auth-host=scram-sha-256 --auth-local=trust -U postgres" >/dev/null
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -c "pg_ctl -D $PGDATA -w start -o '-c listen_addresses=127.0.0.1'" >/dev/null
  psql -U postgres -h /run/postgresql -c "CREATE ROLE $POSTGRES_USER LOGIN PASSWORD '$POSTGRES_PASSWORD'"
  psql -U postgres -h /run/postgresql -c "CREATE DATABASE $POSTGRES_DB OWNER $POSTGRES_USER"
  su postgres -c "pg_ctl -D $PGDATA -w stop" >/dev/null
fi
exec su postgres -c "postgres -D $PGDATA -c listen_addresses=* -k /run/postgresql"
EOF
    printf '%s\n' 'FROM localhost/bookworm-min:latest' \
      'RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*' \
      'COPY entry.sh /entry.sh' 'ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data' \
      'ENTRYPOINT ["/bin/sh", "/entry.sh"]' >"$work/postgres/Containerfile"
  else
    printf '%s\n' 'FROM localhost/bookworm-min:latest' \
      'RUN apt-get update && apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/* && rm -f /etc/nginx/sites-enabled/default' \
      'CMD ["nginx", "-g", "daemon off;"]' >"$work/nginx/Containerfile"
  fi
  "${P[@]}" build "${ULIMITS[@]}" --network host -t "$image" "$work/$stand_in" >/dev/null
done

echo "== certdesk:latest from deploy/Dockerfile"
"${P[@]}" build "${ULIMITS[@]}" --network host --build-arg BASE=localhost/certdesk-base:bookworm-node20 \
  -f deploy/Dockerfile -t localhost/certdesk:latest . >"$work/build.log" || {
  tail -30 "$work/build.log"
  fail "image build"
}

echo "== the stack"
cleanup_keep_work() { "${P[@]}" rm -f -t 1 cdv-nginx cdv-web1 cdv-web2 cdv-signer cdv-db >/dev/null 2>&1 || true; }
cleanup_keep_work
mkdir -p "$work/secrets"
openssl rand -base64 32 >"$work/secrets/ca-kek" && chown 990 "$work/secrets/ca-kek" && chmod 400 "$work/secrets/ca-kek"
printf 'CERTDESK_SMS=sandbox\nCERTDESK_MAIL=sandbox\nCERTDESK_PAY=sandbox\nCERTDESK_FACE=sandbox\n' >"$work/web.env"
PW=verify-$(openssl rand -hex 8)
SECRET=$(openssl rand -base64 48)
URL=https://ca.example.cn
DBURL="postgres://certdesk:$PW@db:5432/certdesk"
R=("${P[@]}" run "${ULIMITS[@]}")
"${P[@]}" network create --internal cdv_internal >/dev/null
"${P[@]}" network create --subnet 172.28.0.0/24 cdv_edge >/dev/null
for v in db ca sock; do "${P[@]}" volume create cdv_$v >/dev/null; done
"${R[@]}" -d --name cdv-db --network cdv_internal --network-alias db -e POSTGRES_DB=certdesk -e POSTGRES_USER=certdesk \
  -e POSTGRES_PASSWORD="$PW" -v cdv_db:/var/lib/postgresql/data docker.io/library/postgres:15-bookworm >/dev/null
for _ in $(seq 60); do "${P[@]}" exec cdv-db pg_isready -U certdesk -d certdesk >/dev/null 2>&1 && break; sleep 1; done
# compose: `docker compose run --rm ca-init` (no network, the ca volume and the KEK secret only)
"${R[@]}" --rm --network none -e CERTDESK_CA_DIR=/var/lib/certdesk/ca -e CERTDESK_CA_KEK_FILE=/run/secrets/ca_kek \
  -e CERTDESK_PUBLIC_URL=$URL -v cdv_ca:/var/lib/certdesk/ca -v "$work/secrets/ca-kek:/run/secrets/ca_kek:ro" \
  localhost/certdesk:latest node --import tsx src/ca/cli/init.ts >/dev/null
"${R[@]}" -d --name cdv-signer --network cdv_internal -e NODE_ENV=production -e CERTDESK_CA_DIR=/var/lib/certdesk/ca \
  -e CERTDESK_CA_KEK_FILE=/run/secrets/ca_kek -e CERTDESK_PUBLIC_URL=$URL \
  -e CERTDESK_SIGNER_LISTEN=unix:/run/certdesk-signer/signer.sock -e CERTDESK_SIGNER_DATABASE_URL="$DBURL" \
  -v cdv_ca:/var/lib/certdesk/ca -v cdv_sock:/run/certdesk-signer -v "$work/secrets/ca-kek:/run/secrets/ca_kek:ro" \
  localhost/certdesk:latest node --import tsx src/signer/main.ts >/dev/null
for n in 1 2; do
  "${R[@]}" -d --name cdv-web$n --network cdv_internal --network cdv_edge --network-alias web$n --env-file "$work/web.env" \
    -e NODE_ENV=production -e DATABASE_URL="$DBURL" -e CERTDESK_SECRET="$SECRET" -e CERTDESK_PUBLIC_URL=$URL \
    -e CERTDESK_TRUST_PROXY=172.28.0.10 -e CERTDESK_METRICS_FROM=172.28.0.0/24 \
    -e CERTDESK_SIGNER_URL=unix:/run/certdesk-signer/signer.sock -v cdv_sock:/run/certdesk-signer localhost/certdesk:latest >/dev/null
done
"${R[@]}" -d --name cdv-nginx --network cdv_edge:ip=172.28.0.10 -p $PORT:80 \
  -v "$root/deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" docker.io/library/nginx:stable-bookworm >/dev/null

health() { curl -s "http://127.0.0.1:$PORT/api/health"; }
for _ in $(seq 90); do health | grep -q '"signer":"ok"' && break; sleep 2; done
echo "== checks"
health | grep -q '"status":"ok"' || fail "health through nginx: $(health)"
health | grep -q '"signer":"ok"' || fail "the web instances do not reach the signer: $(health)"
echo "ok  /api/health through nginx: ok, signer ok"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/)" = 200 ] || fail "home page"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/metrics)" = 404 ] || fail "/metrics is public"
echo "ok  the site is served; /metrics is not public"
crl() { "${P[@]}" exec "cdv-web$1" node -e "fetch('http://127.0.0.1:3000/crl/sm2/complete.crl').then(async r=>console.log(r.status, require('crypto').createHash('sha256').update(Buffer.from(await r.arrayBuffer())).digest('hex')))"; }
a=$(crl 1) b=$(crl 2)
[ "$a" = "$b" ] && [ "${a%% *}" = 200 ] || fail "the instances serve different CRLs: $a / $b"
echo "ok  both instances serve the same SM2 CRL ($a)"
for n in 1 2; do
  "${P[@]}" exec cdv-web$n sh -c 'cat /proc/[0-9]*/environ 2>/dev/null | tr "\0" "\n"' | grep -E '^CERTDESK_CA_(KEK|DIR)' && fail "web$n has CA settings"
  "${P[@]}" exec cdv-web$n sh -c 'grep -rlE "PRIVATE KEY|CERTDESK-.*KEY" /var/lib/certdesk /run/certdesk-signer 2>/dev/null' && fail "web$n holds key material"
done
"${P[@]}" exec cdv-signer sh -c 'ls /var/lib/certdesk/ca/sm2/issuing.key' >/dev/null || fail "the signer has no CA"
echo "ok  no KEK, CA directory or key file in the web containers; the CA is in the signer's volume"
"${P[@]}" stop -t 2 cdv-signer >/dev/null
health | grep -q '"signer":"unavailable"' || fail "health does not report the stopped signer: $(health)"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/api/health)" = 200 ] || fail "health 503 for a stopped signer"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/crl/sm2/complete.crl)" = 200 ] || fail "CRL with the signer down"
echo "ok  signer stopped: health 200 with signer unavailable and a warning; the CRL is still served"
"${P[@]}" start cdv-signer >/dev/null
for _ in $(seq 30); do health | grep -q '"signer":"ok"' && break; sleep 1; done
health | grep -q '"signer":"ok"' || fail "the signer did not come back: $(health)"
echo "ok  signer restarted: health says ok again"
echo "ALL CHECKS PASSED"
