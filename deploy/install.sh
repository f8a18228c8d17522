#!/bin/sh
# Installs TWCManager for TypeScript as a systemd service (docs/install-pi.md), or removes it.
#
#   sudo deploy/install.sh                     build from this checkout, install, enable the service
#   sudo deploy/install.sh --start             … and start it (an update restarts a running service anyway)
#   sudo deploy/install.sh --uninstall         remove the service and the app; keep config and settings
#   sudo deploy/install.sh --uninstall --purge … and the config, settings, history, logs and the user
#   deploy/install.sh --root DIR [--no-npm]    install into the scratch root DIR (nothing outside it is touched)
#
# What it does (the Dockerfile in this folder runs the same build steps):
#   1. builds in a temporary copy of the checkout: `npm ci` (its prepare script compiles the server and
#      the web interface into dist/), then `npm prune --omit=dev` (production dependencies only);
#   2. installs bin/, dist/, node_modules/, package.json, docs/ and examples/ into /opt/twcmanager
#      (owned by root: the service cannot change its own code), replacing an older copy, and links
#      /usr/local/bin/twcmanager to it;
#   3. creates the system user and group `twcmanager` (member of `dialout` for the serial adapter);
#   4. creates /etc/twcmanager (root:twcmanager 0750; an existing one keeps its owner and mode) with
#      config.json from examples/config.json (root:twcmanager 0640) when there is none (an existing
#      config is never overwritten), /var/lib/twcmanager (the settings directory) and /var/log/twcmanager
#      (twcmanager:twcmanager 0750);
#   5. installs deploy/systemd/twcmanager.service into /etc/systemd/system, reloads systemd and enables
#      the unit; a service that was running is restarted, otherwise it is started only with --start.
#
# --root DIR: every path is prefixed with DIR (DESTDIR-style). Commands that would change the machine
# (useradd, usermod, userdel, chown, systemctl) are not run; each is printed as a line starting with
# "skipped (--root): " followed by the command. Use it to inspect or test the result.
# --no-npm: do not run npm; copy bin/ and the checkout's dist/ (from an earlier `npm run build`) without
# node_modules/ (the copy runs once `npm ci --omit=dev` has been run in it). For tests and packaging.
set -eu

PREFIX=/opt/twcmanager
CONFDIR=/etc/twcmanager
STATEDIR=/var/lib/twcmanager
LOGDIR=/var/log/twcmanager
UNITDIR=/etc/systemd/system
UNIT=twcmanager.service
BINLINK=/usr/local/bin/twcmanager
SVCUSER=twcmanager
NODE_MIN=20.19

SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=""
MODE=install
PURGE=0
NPM=1
START=0
STAGE=""

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

say() {
  echo "==> $*"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --root)
      [ $# -ge 2 ] || die "--root needs a directory"
      ROOT=$2
      shift 2
      ;;
    --root=*)
      ROOT=${1#--root=}
      shift
      ;;
    --uninstall) MODE=uninstall; shift ;;
    --purge) PURGE=1; shift ;;
    --no-npm) NPM=0; shift ;;
    --start) START=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [ -n "$ROOT" ]; then
  case "$ROOT" in
    /*) ;;
    *) ROOT=$(pwd)/$ROOT ;;
  esac
  ROOT=${ROOT%/}
  [ -n "$ROOT" ] || die "--root / is the machine itself: run without --root"
  [ -d "$ROOT" ] || die "--root $ROOT: no such directory"
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo $0 …), or use --root DIR for a scratch install"
fi
[ "$PURGE" -eq 0 ] || [ "$MODE" = uninstall ] || die "--purge goes with --uninstall"

cleanup() {
  if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints a command as a shell line (arguments with spaces quoted).
show() {
  line=""
  for a in "$@"; do
    case "$a" in
      *" "*) line="$line '$a'" ;;
      *) line="$line $a" ;;
    esac
  done
  echo "${line# }"
}

# Runs a command that changes the machine, or prints it in --root mode.
system() {
  if [ -n "$ROOT" ]; then
    echo "skipped (--root): $(show "$@")"
  else
    "$@"
  fi
}

# True when systemd is the running init (not in --root mode, a container or a chroot).
have_systemd() {
  [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

# systemctl, or a note why it is not run.
sysctl_() {
  if [ -n "$ROOT" ]; then
    echo "skipped (--root): systemctl $*"
  elif have_systemd; then
    systemctl "$@"
  else
    echo "skipped (systemd is not running here): systemctl $*"
  fi
}

check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js $NODE_MIN or newer is needed and 'node' is not on PATH (docs/install-pi.md, step 1)"
  node -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    const [wantMaj, wantMin] = process.argv[1].split(".").map(Number);
    process.exit(maj > wantMaj || (maj === wantMaj && min >= wantMin) ? 0 : 1);
  ' "$NODE_MIN" || die "Node.js $NODE_MIN or newer is needed; found $(node -v) (docs/install-pi.md, step 1)"
  if [ "$NPM" -eq 1 ]; then
    command -v npm >/dev/null 2>&1 || die "'npm' is not on PATH (it comes with Node.js)"
  fi
}

# Step 1: a production tree in $STAGE (bin, dist, node_modules, package files).
build() {
  STAGE=$(mktemp -d "${TMPDIR:-/tmp}/twcmanager-build.XXXXXX")
  if [ "$NPM" -eq 0 ]; then
    say "copying bin/ and the checkout's dist/ (--no-npm: npm ci and the build are not run)"
    cp -R "$SRC/bin" "$SRC/package.json" "$SRC/package-lock.json" "$STAGE/"
    if [ -f "$SRC/dist/.build-stamp" ]; then
      cp -R "$SRC/dist" "$STAGE/"
      if [ -n "$(find "$SRC/src" -name '*.ts' ! -path '*/web/*' -newer "$SRC/dist/.build-stamp" 2>/dev/null | head -n 1)" ]; then
        echo "warning: $SRC/dist is older than src/ (run npm run build): the copy runs the older build" >&2
      fi
    else
      echo "warning: $SRC/dist has no build (run npm run build); the copy cannot run" >&2
    fi
    return
  fi
  say "building in $STAGE: npm ci (compiles the server and the web interface)"
  for f in package.json package-lock.json tsconfig.json tsconfig.build.json bin scripts src; do
    cp -R "$SRC/$f" "$STAGE/"
  done
  (cd "$STAGE" && npm ci --no-audit --no-fund)
  [ -f "$STAGE/dist/.build-stamp" ] || die "the build did not produce dist/ (see the npm output above)"
  [ -f "$STAGE/dist/web/index.html" ] || die "the build did not produce the web interface dist/web/"
  say "keeping production dependencies only: npm prune --omit=dev"
  (cd "$STAGE" && npm prune --omit=dev --no-audit --no-fund)
  # The compiled server runs from dist/; the sources and build scripts are not installed.
  rm -rf "$STAGE/src" "$STAGE/tsconfig.json" "$STAGE/tsconfig.build.json" "$STAGE/scripts"
}

# Step 2: the app in $PREFIX (replaced as a whole), and the command on PATH.
install_app() {
  dest=$ROOT$PREFIX
  say "installing the app into $dest"
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.new" "$dest.old"
  mkdir "$dest.new"
  (cd "$STAGE" && cp -R . "$dest.new/")
  mkdir -p "$dest.new/examples" "$dest.new/deploy/systemd"
  cp -R "$SRC/docs" "$dest.new/docs"
  if [ -f "$SRC/README.md" ]; then cp "$SRC/README.md" "$dest.new/"; fi
  cp "$SAMPLE" "$dest.new/examples/config.json"
  cp "$SRC/deploy/systemd/$UNIT" "$dest.new/deploy/systemd/$UNIT"
  chmod -R u+rwX,go+rX,go-w "$dest.new"
  if [ -z "$ROOT" ]; then chown -R root:root "$dest.new"; fi
  if [ -e "$dest" ]; then mv "$dest" "$dest.old"; fi
  mv "$dest.new" "$dest"
  rm -rf "$dest.old"
  mkdir -p "$ROOT$(dirname "$BINLINK")"
  ln -sfn "$PREFIX/bin/twcmanager" "$ROOT$BINLINK"
}

# Step 3: the system user, in dialout.
create_user() {
  if [ -z "$ROOT" ] && getent passwd "$SVCUSER" >/dev/null 2>&1; then
    say "user $SVCUSER exists"
  else
    say "creating the system user $SVCUSER"
    system useradd --system --user-group --home-dir "$STATEDIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "TWCManager for TypeScript" "$SVCUSER"
  fi
  if [ -z "$ROOT" ] && ! getent group dialout >/dev/null 2>&1; then groupadd --system dialout; fi
  system usermod --append --groups dialout "$SVCUSER"
}

# Step 4: configuration, settings and log directories.
create_dirs() {
  say "creating $CONFDIR, $STATEDIR and $LOGDIR"
  # An existing $CONFDIR (a TWCManager installation moving over) keeps its owner and mode.
  if [ ! -d "$ROOT$CONFDIR" ]; then
    mkdir -p "$ROOT$CONFDIR"
    chmod 0750 "$ROOT$CONFDIR"
    system chown "root:$SVCUSER" "$ROOT$CONFDIR"
  fi
  mkdir -p "$ROOT$STATEDIR" "$ROOT$LOGDIR"
  chmod 0750 "$ROOT$STATEDIR" "$ROOT$LOGDIR"
  system chown "$SVCUSER:$SVCUSER" "$ROOT$STATEDIR" "$ROOT$LOGDIR"
  if [ -e "$ROOT$CONFDIR/config.json" ]; then
    say "kept the existing $CONFDIR/config.json (the sample is $PREFIX/examples/config.json)"
    if [ -z "$ROOT" ] && command -v runuser >/dev/null 2>&1 &&
      ! runuser -u "$SVCUSER" -- test -r "$CONFDIR/config.json"; then
      echo "warning: the user $SVCUSER cannot read $CONFDIR/config.json; give it access with" >&2
      echo "    sudo chgrp $SVCUSER $CONFDIR $CONFDIR/config.json && sudo chmod g+rx $CONFDIR && sudo chmod g+r $CONFDIR/config.json" >&2
    fi
  else
    cp "$SAMPLE" "$ROOT$CONFDIR/config.json"
    chmod 0640 "$ROOT$CONFDIR/config.json"
    system chown "root:$SVCUSER" "$ROOT$CONFDIR/config.json"
    say "wrote the sample $CONFDIR/config.json: edit it before starting (docs/install-pi.md, step 5)"
  fi
}

# Step 5: the unit.
install_unit() {
  say "installing $UNITDIR/$UNIT"
  mkdir -p "$ROOT$UNITDIR"
  cp "$SRC/deploy/systemd/$UNIT" "$ROOT$UNITDIR/$UNIT"
  chmod 0644 "$ROOT$UNITDIR/$UNIT"
  sysctl_ daemon-reload
  sysctl_ enable "$UNIT"
  if [ "$WAS_ACTIVE" -eq 1 ]; then
    say "restarting the running service"
    sysctl_ restart "$UNIT"
  elif [ "$START" -eq 1 ]; then
    sysctl_ start "$UNIT"
  fi
}

do_install() {
  SAMPLE=$SRC/examples/config.json
  [ -f "$SAMPLE" ] || die "$SAMPLE is missing (the sample config installed as $CONFDIR/config.json)"
  [ -f "$SRC/deploy/systemd/$UNIT" ] || die "$SRC/deploy/systemd/$UNIT is missing"
  if [ -n "$ROOT" ] && [ "$NPM" -eq 0 ]; then :; else check_node; fi
  WAS_ACTIVE=0
  if have_systemd && systemctl is-active --quiet "$UNIT"; then WAS_ACTIVE=1; fi
  build
  install_app
  create_user
  create_dirs
  install_unit
  say "installed. Next:"
  echo "    sudo nano $CONFDIR/config.json                 # the bus port, wiring limits, HTTP auth"
  echo "    sudo -u $SVCUSER twcmanager check-config $CONFDIR/config.json"
  echo "    sudo systemctl start $UNIT && journalctl -u $UNIT -f"
}

do_uninstall() {
  say "removing the service and the app"
  sysctl_ disable --now "$UNIT" || true
  rm -f "$ROOT$UNITDIR/$UNIT"
  rm -rf "$ROOT$UNITDIR/$UNIT.d"
  sysctl_ daemon-reload
  sysctl_ reset-failed "$UNIT" || true
  rm -rf "$ROOT$PREFIX" "$ROOT$PREFIX.new" "$ROOT$PREFIX.old"
  if [ -L "$ROOT$BINLINK" ] && [ "$(readlink "$ROOT$BINLINK")" = "$PREFIX/bin/twcmanager" ]; then
    rm -f "$ROOT$BINLINK"
  fi
  if [ "$PURGE" -eq 1 ]; then
    say "purging the configuration, settings, history, logs and the user"
    rm -rf "$ROOT$CONFDIR" "$ROOT$STATEDIR" "$ROOT$LOGDIR"
    if [ -n "$ROOT" ] || getent passwd "$SVCUSER" >/dev/null 2>&1; then system userdel "$SVCUSER"; fi
  else
    say "kept $CONFDIR (config), $STATEDIR (settings.json, history) and $LOGDIR, and the user $SVCUSER (--purge removes them)"
  fi
}

if [ "$MODE" = uninstall ]; then do_uninstall; else do_install; fi
