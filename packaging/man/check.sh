#!/bin/sh
# Checks every man page in this directory the way lintian does: no groff/man warnings
# (lintian's groff-message), a NAME line lexgrog can parse (manpage-has-bad-whatis-entry),
# and no trailing whitespace.
# Exit 0: all clean; 1: a finding (printed with the page's name); 77: man-db or groff-base
# is not installed, so nothing was checked (ctest: SKIP_RETURN_CODE 77).
set -u

dir=$(cd "$(dirname "$0")" && pwd)

for tool in man groff lexgrog; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "check.sh: $tool not found; install man-db and groff-base to check the man pages" >&2
        exit 77
    fi
done

status=0
pages=0
for page in "$dir"/*.[1-9]; do
    [ -f "$page" ] || continue
    pages=$((pages + 1))
    name=$(basename "$page")

    # The exact command lintian runs; every line it prints on stderr is a warning.
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
        man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" -ne 0 ] || [ -n "$warnings" ]; then
        echo "$name: man --warnings exited $rc:"
        printf '%s\n' "$warnings" | sed 's/^/    /'
        status=1
    fi

    if ! lexgrog "$page" >/dev/null 2>&1; then
        echo "$name: lexgrog cannot parse the NAME section (want: name \\- description)"
        status=1
    fi

    if grep -n '[[:space:]]$' "$page" >/dev/null; then
        echo "$name: trailing whitespace on line(s):"
        grep -n '[[:space:]]$' "$page" | cut -d: -f1 | sed 's/^/    /'
        status=1
    fi
done

if [ "$pages" -eq 0 ]; then
    echo "check.sh: no man pages (*.[1-9]) in $dir" >&2
    exit 1
fi
if [ "$status" -eq 0 ]; then
    echo "check.sh: $pages man pages clean"
fi
exit "$status"
