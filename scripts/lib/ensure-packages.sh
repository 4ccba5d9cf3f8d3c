# shellcheck shell=bash
# Make sure Debian packages the test suite needs are installed.
#
# Source this file, then:   ensure_packages postgresql [chromium ...]
#
# Each package has a *probe* in ENSURE_PACKAGE_PROBES telling whether it is
# already present. A probe is a space-separated list of alternatives; the
# package counts as present if ANY alternative matches:
#   cmd:NAME    NAME is an executable on PATH
#   path:GLOB   GLOB (absolute, may contain wildcards) matches an executable
#   func:NAME   shell function NAME returns 0
# A package without a probe is checked with dpkg-query.
#
# Missing packages are installed with apt-get when running as root, or via
# passwordless sudo when that works. Otherwise the function prints what is
# missing, the command to install it, and exits the script with status 2.

declare -gA ENSURE_PACKAGE_PROBES
# Defaults; callers may override or add entries after sourcing this file.
: "${ENSURE_PACKAGE_PROBES[postgresql]:=path:/usr/lib/postgresql/*/bin/initdb cmd:initdb}"
: "${ENSURE_PACKAGE_PROBES[postgresql-client]:=cmd:psql}"
: "${ENSURE_PACKAGE_PROBES[chromium]:=cmd:chromium}"
: "${ENSURE_PACKAGE_PROBES[chromium-driver]:=cmd:chromedriver}"
: "${ENSURE_PACKAGE_PROBES[python3-venv]:=func:_ensure_probe_python3_venv}"

_ENSURE_APT_UPDATED=${_ENSURE_APT_UPDATED:-0}

_ensure_probe_python3_venv() {
    command -v python3 >/dev/null 2>&1 && python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}

# _ensure_package_present PKG -> 0 if present
_ensure_package_present() {
    local pkg=$1 probe alt kind arg f
    probe=${ENSURE_PACKAGE_PROBES[$pkg]:-}
    if [[ -z $probe ]]; then
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]]
        return
    fi
    for alt in $probe; do
        kind=${alt%%:*}
        arg=${alt#*:}
        case $kind in
            cmd)
                command -v "$arg" >/dev/null 2>&1 && return 0 ;;
            path)
                # Intentional glob expansion of $arg.
                for f in $arg; do
                    [[ -x $f ]] && return 0
                done ;;
            func)
                "$arg" && return 0 ;;
            *)
                echo "ensure_packages: bad probe '$alt' for package $pkg" >&2
                return 1 ;;
        esac
    done
    return 1
}

# ensure_packages PKG... : install the missing ones or exit 2.
ensure_packages() {
    local pkg missing=() still=() sudo=()
    for pkg in "$@"; do
        _ensure_package_present "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            {
                echo "==> Missing system packages: ${missing[*]}"
                echo "==> Not root and no passwordless sudo; install them with:"
                echo "    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
            } >&2
            exit 2
        fi
    fi

    echo "==> Installing system packages: ${missing[*]}"
    local apt_opts=(-o DPkg::Lock::Timeout=300 -q)
    if [[ $_ENSURE_APT_UPDATED != 1 ]]; then
        "${sudo[@]}" apt-get "${apt_opts[@]}" update
        _ENSURE_APT_UPDATED=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
    hash -r

    for pkg in "${missing[@]}"; do
        _ensure_package_present "$pkg" || still+=("$pkg")
    done
    if ((${#still[@]} > 0)); then
        echo "==> Still missing after install (probe failed): ${still[*]}" >&2
        exit 2
    fi
}
