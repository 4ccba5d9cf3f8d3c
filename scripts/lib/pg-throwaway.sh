# shellcheck shell=bash
# A throwaway PostgreSQL cluster for tests.
#
# Source this file, then:
#   trap pg_throwaway_stop EXIT
#   pg_throwaway_start          # exports PLEDGE_TEST_PG_URL
#   ...
#   pg_throwaway_stop           # idempotent; also fine to call from a trap
#
# The cluster lives in a fresh `mktemp -d` directory (data, unix socket, log),
# listens only on 127.0.0.1 on a free port, trusts every connection and is
# tuned for speed, not durability (fsync=off).
#
# PostgreSQL refuses to run as root: when run as root, the server runs as the
# `postgres` system user if it exists, else as a system user `pledgetest`
# (created on demand).
#
# Environment:
#   PLEDGE_PG_BINDIR   directory holding initdb/pg_ctl/postgres (default:
#                      from PATH, else the newest /usr/lib/postgresql/*/bin)
#   PLEDGE_PG_USER     unprivileged user to run the server as when root

PG_THROWAWAY_DIR=${PG_THROWAWAY_DIR:-}
PG_THROWAWAY_BINDIR=${PG_THROWAWAY_BINDIR:-}
PG_THROWAWAY_USER=${PG_THROWAWAY_USER:-}
PG_THROWAWAY_PORT=${PG_THROWAWAY_PORT:-}

_pg_has_server_bins() {
    local d=$1
    [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]
}

# pg_throwaway_find_bindir: sets PG_THROWAWAY_BINDIR, returns 1 if not found.
# Also usable as an ensure_packages probe (func:pg_throwaway_find_bindir).
pg_throwaway_find_bindir() {
    local d p
    if [[ -n ${PLEDGE_PG_BINDIR:-} ]]; then
        _pg_has_server_bins "$PLEDGE_PG_BINDIR" || return 1
        PG_THROWAWAY_BINDIR=$PLEDGE_PG_BINDIR
        return 0
    fi
    if p=$(command -v initdb 2>/dev/null); then
        d=$(dirname "$(readlink -f "$p")")
        if _pg_has_server_bins "$d"; then
            PG_THROWAWAY_BINDIR=$d
            return 0
        fi
    fi
    # Newest installed major version first.
    while IFS= read -r d; do
        if _pg_has_server_bins "$d"; then
            PG_THROWAWAY_BINDIR=$d
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV)
    return 1
}

# True if something listens on 127.0.0.1:PORT (or the port is otherwise taken).
_pg_port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]] && return 0
    fi
    # A successful connect means someone is listening.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    return 1
}

_pg_pick_port() {
    local start port i
    start=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    for ((i = 0; i < 500; i++)); do
        port=$((20000 + (start - 20000 + i) % 40000))
        if ! _pg_port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "pg-throwaway: no free TCP port found" >&2
    return 1
}

# Run a command as the server user (from inside the cluster directory, which
# that user can always enter).
_pg_run() {
    if [[ -n $PG_THROWAWAY_USER ]]; then
        (cd "$PG_THROWAWAY_DIR" && runuser -u "$PG_THROWAWAY_USER" -- "$@")
    else
        (cd "$PG_THROWAWAY_DIR" && "$@")
    fi
}

_pg_pick_user() {
    local u=${PLEDGE_PG_USER:-}
    if [[ -z $u ]]; then
        if id -u postgres >/dev/null 2>&1; then
            u=postgres
        else
            u=pledgetest
            if ! id -u "$u" >/dev/null 2>&1; then
                echo "==> Creating system user $u to run PostgreSQL (it refuses to run as root)"
                useradd --system --no-create-home --home-dir /nonexistent \
                    --shell /usr/sbin/nologin "$u" 2>/dev/null ||
                    adduser --system --no-create-home --group "$u" >/dev/null
            fi
        fi
    fi
    id -u "$u" >/dev/null 2>&1 || {
        echo "pg-throwaway: user $u does not exist" >&2
        return 1
    }
    PG_THROWAWAY_USER=$u
}

_pg_make_dir() {
    local base
    for base in "${TMPDIR:-/tmp}" /tmp; do
        PG_THROWAWAY_DIR=$(mktemp -d "$base/pledge-pg.XXXXXX") || continue
        mkdir "$PG_THROWAWAY_DIR/data" "$PG_THROWAWAY_DIR/sock"
        chmod 700 "$PG_THROWAWAY_DIR/data"
        if [[ -n $PG_THROWAWAY_USER ]]; then
            chown -R "$PG_THROWAWAY_USER:" "$PG_THROWAWAY_DIR"
            # Every parent directory must be enterable by the server user.
            if ! runuser -u "$PG_THROWAWAY_USER" -- test -w "$PG_THROWAWAY_DIR/sock"; then
                rm -rf "$PG_THROWAWAY_DIR"
                PG_THROWAWAY_DIR=
                continue
            fi
        fi
        return 0
    done
    echo "pg-throwaway: could not create a temp dir usable by ${PG_THROWAWAY_USER:-$(id -un)}" >&2
    return 1
}

_pg_dump_log() {
    local f
    for f in "$PG_THROWAWAY_DIR/initdb.log" "$PG_THROWAWAY_DIR/postgres.log"; do
        if [[ -s $f ]]; then
            echo "---- $f ----" >&2
            tail -n 100 "$f" >&2
        fi
    done
}

pg_throwaway_start() {
    local bin port attempt deadline ready ok
    if [[ -n $PG_THROWAWAY_DIR ]]; then
        echo "pg-throwaway: already started in $PG_THROWAWAY_DIR" >&2
        return 1
    fi
    pg_throwaway_find_bindir || {
        echo "pg-throwaway: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found" >&2
        return 1
    }
    bin=$PG_THROWAWAY_BINDIR
    PG_THROWAWAY_USER=
    if ((EUID == 0)); then
        _pg_pick_user || return 1
    fi
    _pg_make_dir || return 1
    echo "==> Starting throwaway PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) in $PG_THROWAWAY_DIR${PG_THROWAWAY_USER:+ as $PG_THROWAWAY_USER}"

    if ! _pg_run "$bin/initdb" --pgdata="$PG_THROWAWAY_DIR/data" --auth=trust \
        --username=postgres --encoding=UTF8 --locale=C --no-sync \
        >"$PG_THROWAWAY_DIR/initdb.log" 2>&1; then
        echo "pg-throwaway: initdb failed" >&2
        _pg_dump_log
        return 1
    fi
    cat >>"$PG_THROWAWAY_DIR/data/postgresql.conf" <<EOF

# ---- pledge throwaway test cluster ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_THROWAWAY_DIR/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 128MB
EOF

    ok=0
    for attempt in 1 2 3 4 5; do
        port=$(_pg_pick_port) || return 1
        : >"$PG_THROWAWAY_DIR/postgres.log"
        [[ -n $PG_THROWAWAY_USER ]] && chown "$PG_THROWAWAY_USER:" "$PG_THROWAWAY_DIR/postgres.log"
        if _pg_run "$bin/pg_ctl" --pgdata="$PG_THROWAWAY_DIR/data" \
            --log="$PG_THROWAWAY_DIR/postgres.log" -o "-p $port" \
            --wait --timeout=30 start >/dev/null 2>&1; then
            ok=1
            break
        fi
        # Lost a race for the port: try another one. Anything else is fatal.
        if grep -qiE 'could not bind|address already in use|could not create any TCP/IP sockets' \
            "$PG_THROWAWAY_DIR/postgres.log"; then
            echo "==> Port $port taken, retrying (attempt $attempt)"
            _pg_run "$bin/pg_ctl" --pgdata="$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
            continue
        fi
        break
    done
    if ((ok == 0)); then
        echo "pg-throwaway: PostgreSQL failed to start" >&2
        _pg_dump_log
        return 1
    fi
    PG_THROWAWAY_PORT=$port

    # pg_ctl --wait already waited; double-check over TCP, bounded to ~30 s.
    deadline=$((SECONDS + 30))
    ready=0
    while ((SECONDS < deadline)); do
        if [[ -x $bin/pg_isready ]]; then
            "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && ready=1
        else
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && ready=1
        fi
        ((ready)) && break
        sleep 0.2
    done
    if ((ready == 0)); then
        echo "pg-throwaway: PostgreSQL did not accept connections within 30 s" >&2
        _pg_dump_log
        return 1
    fi

    export PLEDGE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "==> PostgreSQL ready: PLEDGE_TEST_PG_URL=$PLEDGE_TEST_PG_URL"
}

# Stop the cluster and remove its directory. Safe to call more than once, from
# a trap, or after a failed start. Never fails.
pg_throwaway_stop() {
    local dir=$PG_THROWAWAY_DIR pid
    [[ -n $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        echo "==> Stopping throwaway PostgreSQL"
        if [[ -n $PG_THROWAWAY_BINDIR ]]; then
            _pg_run "$PG_THROWAWAY_BINDIR/pg_ctl" --pgdata="$dir/data" \
                -m immediate --wait --timeout=30 stop >/dev/null 2>&1 || true
        fi
        # Last resort: kill the postmaster we started, by its pid.
        if [[ -f $dir/data/postmaster.pid ]]; then
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
                sleep 0.5
            fi
        fi
    fi
    rm -rf -- "$dir" 2>/dev/null || true
    PG_THROWAWAY_DIR=
    PG_THROWAWAY_PORT=
    return 0
}
