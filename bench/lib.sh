# Helpers the server benchmarks source (bench/server.sh, page.sh, dashboard.sh).

# served_url LOG PID: the URL `ward serve` (PID, logging to LOG) listens on, once it says so
# (up to a minute); exits 2 with the log if it does not.
served_url() {
    local log=$1 pid=$2 url=""
    for _ in $(seq 600); do
        url=$(sed -n 's/^ward: listening on \(http:[^ ]*\).*/\1/p' "$log")
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { cat "$log" >&2; kill "$pid"; exit 2; }
    echo "$url"
}

# time_pages LABEL URL KEY PAGE…: signs in to the dashboard at URL with the API key KEY, then
# prints each PAGE's answer time (server render plus loopback), median of 11.
time_pages() {
    local label=$1 url=$2 key=$3
    shift 3
    local jar csrf page times median
    jar=$(mktemp)
    curl -sS -c "$jar" -b "$jar" -o /dev/null "$url/login"
    csrf=$(awk '$6 == "ward_login_csrf" {print $7}' "$jar")
    curl -sS -c "$jar" -b "$jar" -o /dev/null --data-urlencode "api_key=$key" \
        --data-urlencode "csrf=$csrf" "$url/login"
    for page in "$@"; do
        times=()
        for _ in $(seq 11); do
            times+=("$(curl -sS --fail -b "$jar" -o /dev/null -w '%{time_total}' "$url$page")")
        done
        median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
        echo "$label $page: median $(awk -v s="$median" 'BEGIN { printf "%.1f", s * 1000 }') ms of 11"
    done
    rm -f "$jar"
}
