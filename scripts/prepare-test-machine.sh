#!/usr/bin/env bash
# Makes a fresh Debian 12 machine (run as root) ready for TeamHub's tests:
# Docker engine, debootstrap and Chromium installed, dockerd answering on
# /var/run/docker.sock, and the single-user test image built.
#
# Safe to run repeatedly: when everything is already in place it only prints
# one "ok:" line per item and changes nothing.
#
# Usage: scripts/prepare-test-machine.sh
# Environment: TEAMHUB_IMAGE (image tag, passed on to build-singleuser-image.sh)

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOCKER_SOCK=/var/run/docker.sock
DOCKERD_LOG=/var/log/teamhub-dockerd.log
APT_LOG=/var/log/teamhub-prepare-apt.log
DOCKERD_WAIT_SECONDS=60
# Debian's docker.io ships engine 20.10 (API 1.41); a newer client may be
# installed in /usr/local/bin. The client negotiates the API version down on
# its own, so DOCKER_API_VERSION is only a fallback (see check_docker_cli).
ENGINE_API_VERSION=1.41

say() { printf '%s\n' "$*"; }
die() {
  printf 'prepare-test-machine: %s\n' "$1" >&2
  exit 1
}

[[ ${EUID} -eq 0 ]] || die "This script must run as root (it installs packages and starts dockerd)."

apt_busy() { pgrep -x apt-get >/dev/null || pgrep -x apt >/dev/null || pgrep -x dpkg >/dev/null; }

# Another apt run (for example one started in the background by a colleague)
# may be installing the very packages we need; a second concurrent apt would
# only fight it for the dpkg lock, so wait for it and then look again.
wait_for_other_apt() {
  local waited=0
  if apt_busy; then
    say "wait: another apt/dpkg run is active; waiting for it to finish (log: /tmp/apt.log if it is the background install)"
    while apt_busy; do
      sleep 5
      waited=$((waited + 5))
      if ((waited >= 1800)); then
        die "Another apt/dpkg run has been busy for 30 minutes; not starting a second one."
      fi
    done
  fi
}

missing_packages() {
  command -v dockerd >/dev/null || printf '%s\n' docker.io
  command -v debootstrap >/dev/null || printf '%s\n' debootstrap
  [[ -x /usr/bin/chromium ]] || printf '%s\n' chromium
  # Debian's JupyterHub 3.0: the reference the REST differential test compares TeamHub against.
  [[ -d /usr/lib/python3/dist-packages/jupyterhub ]] || printf '%s\n' jupyterhub
  # A CJK font, so the 简体中文 screenshots show characters rather than empty boxes.
  [[ -d /usr/share/fonts/truetype/wqy ]] || printf '%s\n' fonts-wqy-microhei
}

report_packages() {
  local missing_list=$1
  local pkg
  for pkg in docker.io debootstrap chromium jupyterhub fonts-wqy-microhei; do
    if grep -qx "${pkg}" <<<"${missing_list}"; then
      say "done: ${pkg} installed"
    else
      say "ok: ${pkg} already installed"
    fi
  done
}

install_packages() {
  local missing
  missing=$(missing_packages)
  if [[ -n ${missing} ]]; then
    wait_for_other_apt
    missing=$(missing_packages)
  fi
  if [[ -z ${missing} ]]; then
    report_packages ""
    return
  fi

  local -a pkgs
  mapfile -t pkgs <<<"${missing}"
  say "run: installing ${pkgs[*]} (apt output in ${APT_LOG})"
  : >"${APT_LOG}"
  # The lock timeout covers an apt that starts between our check and our run.
  if ! apt-get -o DPkg::Lock::Timeout=600 update >>"${APT_LOG}" 2>&1; then
    tail -n 15 "${APT_LOG}" >&2
    die "apt-get update failed, so ${pkgs[*]} could not be installed."
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${pkgs[@]}" >>"${APT_LOG}" 2>&1; then
    tail -n 15 "${APT_LOG}" >&2
    die "apt-get install of ${pkgs[*]} failed."
  fi
  missing=$(missing_packages)
  [[ -z ${missing} ]] || die "apt-get finished but these are still missing: $(tr '\n' ' ' <<<"${missing}")."
  report_packages "$(printf '%s\n' "${pkgs[@]}")"
}

# Ask the socket directly so the answer does not depend on which docker CLI
# is first on PATH.
engine_answers() {
  [[ -S ${DOCKER_SOCK} ]] &&
    [[ $(curl -fsS --max-time 3 --unix-socket "${DOCKER_SOCK}" http://localhost/_ping 2>/dev/null) == OK ]]
}

engine_version() {
  curl -fsS --max-time 3 --unix-socket "${DOCKER_SOCK}" http://localhost/version 2>/dev/null |
    sed -n 's/.*"Version":"\([^"]*\)".*"ApiVersion":"\([^"]*\)".*/\1, API \2/p'
}

start_dockerd() {
  if engine_answers; then
    say "ok: dockerd already running (engine $(engine_version))"
    return
  fi

  # A dockerd that is still starting up must not get a twin.
  local started=''
  if pgrep -x dockerd >/dev/null; then
    say "wait: dockerd is running but not answering yet; waiting up to ${DOCKERD_WAIT_SECONDS}s"
  else
    say "run: starting dockerd in the background (log: ${DOCKERD_LOG})"
    # setsid + nohup so dockerd outlives this script and its terminal; nothing
    # on this machine (no systemd) would start it otherwise.
    setsid nohup dockerd >>"${DOCKERD_LOG}" 2>&1 </dev/null &
    started=$!
  fi

  local deadline=$((SECONDS + DOCKERD_WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if engine_answers; then
      say "done: dockerd started (engine $(engine_version))"
      return
    fi
    # The process just started may not be named dockerd yet (setsid and nohup exec into it), so
    # it is followed by its pid; a dockerd found running is followed by name.
    if [[ -n ${started} ]]; then
      kill -0 "${started}" 2>/dev/null || break
    elif ! pgrep -x dockerd >/dev/null; then
      break
    fi
    sleep 0.5
  done

  printf 'prepare-test-machine: dockerd did not answer on %s within %ss; last lines of %s:\n' \
    "${DOCKER_SOCK}" "${DOCKERD_WAIT_SECONDS}" "${DOCKERD_LOG}" >&2
  tail -n 20 "${DOCKERD_LOG}" >&2 || true
  exit 1
}

# The tests and the image build use whatever `docker` is first on PATH
# (often a newer /usr/local/bin/docker). Make sure it can talk to the 20.10
# engine; if it only works with a pinned API version, pin it for the build
# below and tell the caller to do the same.
check_docker_cli() {
  local cli
  cli=$(command -v docker) || die "No docker CLI on PATH even though docker.io is installed."
  if docker version >/dev/null 2>&1; then
    say "ok: docker CLI ${cli} talks to the engine"
  elif DOCKER_API_VERSION=${ENGINE_API_VERSION} docker version >/dev/null 2>&1; then
    export DOCKER_API_VERSION=${ENGINE_API_VERSION}
    say "note: docker CLI ${cli} needs DOCKER_API_VERSION=${ENGINE_API_VERSION} for this engine; export it in your shell too"
  else
    docker version >&2 || true
    die "The docker CLI at ${cli} cannot talk to the engine, even with DOCKER_API_VERSION=${ENGINE_API_VERSION}."
  fi
}

install_packages
start_dockerd
check_docker_cli
# Through bash so a checkout that lost the executable bit still works.
bash "${HERE}/build-singleuser-image.sh"
