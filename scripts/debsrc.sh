# Sourced by the build-*.sh scripts: fetching a Debian source package with
# `apt-get source`, which needs a deb-src entry (added here for bookworm
# when there is none) and dpkg-source (dpkg-dev, part of build-essential).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# debsrc_fetch TAG PACKAGE DIR: unpack PACKAGE's source under DIR; TAG
# names the calling script in messages. Exits on failure.
debsrc_fetch() {
  local tag=$1 pkg=$2 dir=$3
  mkdir -p "$dir"
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ \
     && ! grep -qs '^deb-src ' /etc/apt/sources.list; then
    echo "$tag: adding a deb-src entry for bookworm" >&2
    as_root tee /etc/apt/sources.list.d/synack-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    as_root apt-get update -q >&2
  fi
  echo "$tag: fetching Debian's $pkg source" >&2
  (cd "$dir" && apt-get source -q "$pkg" >&2) || {
    # The deb-src entry may exist but the package lists be stale.
    as_root apt-get update -q >&2
    (cd "$dir" && apt-get source -q "$pkg" >&2)
  } || { echo "$tag: apt-get source $pkg failed" >&2; exit 1; }
}
