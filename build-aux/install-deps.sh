#!/bin/sh
# install-deps.sh — the one list of Debian 12 packages that Stampede's build,
# app, tests and benchmarks need.  Installs only what is missing, so running
# it again is cheap.  Used by `make demo`, `make check` and CI.
set -eu

PACKAGES="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libepoxy-dev
  libsoup-3.0-dev libcurl4-openssl-dev libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  desktop-file-utils appstream-util
  xvfb xauth dbus dbus-x11 libgl1-mesa-dri mesa-utils
  imagemagick
  nginx-light wrk hey time procps
  clang libclang-rt-14-dev
"

missing=""
for pkg in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "install-deps: installing:$missing"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: these packages are missing and this user is not" \
         "root and has no sudo:$missing" >&2
    exit 1
  fi
fi

# A package such as nginx would start its service on install; the project
# starts nginx itself, on loopback, only inside its benchmarks.  A
# policy-rc.d that answers 101 keeps services from starting during the
# install and is removed afterwards.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  added_policy=1
fi
cleanup() {
  if [ "$added_policy" -eq 1 ]; then
    $SUDO rm -f "$policy"
  fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends $missing
fi
