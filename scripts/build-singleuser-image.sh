#!/usr/bin/env bash
# Builds TeamHub's JupyterHub single-user Docker image without Docker Hub,
# PyPI or BuildKit: the root filesystem comes from Debian packages via
# debootstrap and is turned into an image with `docker import`.
#
# Result: jupyterhub-singleuser 3.0 on the classic notebook 6.4.12 with a
# python3 kernel, running as jovyan (uid 1000) under tini on port 8888.
#
# Usage: scripts/build-singleuser-image.sh [--force] [TAG]
#   TAG      image tag (default: $TEAMHUB_IMAGE, else teamhub/singleuser:bookworm)
#   --force  rebuild even if TAG already exists
# Environment (optional):
#   TEAMHUB_DEBIAN_MIRROR, TEAMHUB_DEBIAN_SECURITY_MIRROR  override the mirrors
#       otherwise read from /etc/apt/sources.list.d/debian.sources
#   TEAMHUB_KEEP_COPYRIGHT=0  also drop /usr/share/doc/*/copyright (default keeps them)
# Must run as root (debootstrap and chroot need it).

set -euo pipefail

# Bump when the recipe changes so images built by an older recipe can be told
# apart (it is stored in the image label org.teamhub.image-recipe).
RECIPE_VERSION="bookworm-minbase-hub3.0-nb6.4-r1"
SUITE=bookworm
PACKAGES=(jupyterhub python3-notebook jupyter-notebook jupyter-core tini python3-ipykernel)
# Hard dependencies we replace with empty stand-ins because the single-user
# server never uses them (installed sizes measured on bookworm):
#   node-configurable-http-proxy  the hub's proxy; only the hub runs it (~60 MB of Node.js)
#   gdb                           via python3-pydevd (debugpy); ~34 MB with its libraries
#   libjs-mathjax                 ~45 MB with its fonts; LaTeX rendering is switched off instead
STAND_INS=(node-configurable-http-proxy gdb libjs-mathjax)
# An epoch this high satisfies any versioned dependency and is never
# "upgraded" by apt to the real package.
STAND_IN_VERSION="99:0-teamhub1"
SOURCES_FILE=/etc/apt/sources.list.d/debian.sources
BUILD_LOG=/var/log/teamhub-singleuser-build.log

FORCE=0
TAG=""
for arg in "$@"; do
  case ${arg} in
    --force) FORCE=1 ;;
    -h | --help)
      sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "build-singleuser-image: unknown option ${arg} (see --help)." >&2
      exit 2
      ;;
    *) TAG=${arg} ;;
  esac
done
TAG=${TAG:-${TEAMHUB_IMAGE:-teamhub/singleuser:bookworm}}

CURRENT_STEP="starting up"
FAILURE_REPORTED=""
LOG_STARTED=""
WORKDIR=""
ROOTFS=""
START_SECONDS=${SECONDS}

# step DESCRIPTION [DURATION_HINT]; the hint is only shown on the console.
step() {
  CURRENT_STEP=$1
  printf '==> %s%s\n' "$1" "${2:+ ($2)}"
}

# For failures we can explain better than "step X failed".
fail() {
  FAILURE_REPORTED=1
  echo "Building image ${TAG} failed: $1." >&2
  exit 1
}

mounts_under_workdir() {
  findmnt -rn -o TARGET | awk -v prefix="${WORKDIR}/" 'index($0, prefix) == 1' | sort -r
}

cleanup() {
  [[ -n ${WORKDIR} && -d ${WORKDIR} ]] || return 0
  # debootstrap mounts /proc and /sys in the target; if it died half way
  # they may still be there, and rm must never descend into them.
  local mnt
  while read -r mnt; do
    [[ -n ${mnt} ]] && umount -l "${mnt}" 2>/dev/null
  done < <(mounts_under_workdir)
  if [[ -n $(mounts_under_workdir) ]]; then
    echo "build-singleuser-image: left ${WORKDIR} in place because something is still mounted inside it." >&2
  else
    rm -rf --one-file-system "${WORKDIR}"
  fi
}

# One exit handler (instead of an ERR trap, which would also fire inside
# command substitutions) turns any unexpected failure into one sentence.
finish() {
  local status=$?
  if ((status != 0)) && [[ -z ${FAILURE_REPORTED} ]]; then
    if [[ -n ${LOG_STARTED} && -s ${BUILD_LOG} ]]; then
      echo "--- last lines of ${BUILD_LOG} ---" >&2
      tail -n 15 "${BUILD_LOG}" >&2
      echo "---" >&2
    fi
    echo "Building image ${TAG} failed while ${CURRENT_STEP}." >&2
  fi
  cleanup
  exit "${status}"
}
trap finish EXIT

# Logged commands keep the console readable; the full output lands in BUILD_LOG.
log_run() { "$@" >>"${BUILD_LOG}" 2>&1; }

in_chroot() {
  LC_ALL=C DEBIAN_FRONTEND=noninteractive chroot "${ROOTFS}" "$@"
}

# Prints the first URI of the deb822 stanza (Types: deb) listing suite $1.
uri_for_suite() {
  local suite=$1
  [[ -r ${SOURCES_FILE} ]] || return 0
  awk -v want="${suite}" '
    BEGIN { RS = ""; FS = "\n" }
    {
      uri = ""; suites = ""; types = ""
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", line); split(line, u, /[ \t]+/); uri = u[1] }
        if (line ~ /^Suites:/) { sub(/^Suites:/, "", line); suites = line " " }
        if (line ~ /^Types:/)  { sub(/^Types:/, "", line); types = line " " }
      }
      if (uri != "" && types ~ /[ \t]deb[ \t]/ && suites ~ ("[ \t]" want "[ \t]")) { print uri; exit }
    }' "${SOURCES_FILE}"
}

# ---------------------------------------------------------------------------

# No progress line yet: when the image exists the whole run is one "ok:" line.
CURRENT_STEP="checking that docker answers"
docker version >/dev/null 2>&1 ||
  fail "docker does not answer (is dockerd running? scripts/prepare-test-machine.sh starts it)"

if [[ ${FORCE} -eq 0 ]] && docker image inspect "${TAG}" >/dev/null 2>&1; then
  recipe=$(docker image inspect -f '{{index .Config.Labels "org.teamhub.image-recipe"}}' "${TAG}" 2>/dev/null || true)
  echo "ok: image ${TAG} already present (recipe ${recipe:-unknown}); use --force to rebuild"
  exit 0
fi

# Remembered so a --force rebuild does not leave the old image dangling.
previous_id=$(docker image inspect -f '{{.Id}}' "${TAG}" 2>/dev/null || true)

step "checking build prerequisites"
[[ ${EUID} -eq 0 ]] || fail "this script must run as root (debootstrap and chroot need it)"
for tool in debootstrap dpkg-deb chroot tar findmnt; do
  command -v "${tool}" >/dev/null || fail "${tool} is not installed (scripts/prepare-test-machine.sh installs what is needed)"
done

MIRROR=${TEAMHUB_DEBIAN_MIRROR:-$(uri_for_suite "${SUITE}")}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TEAMHUB_DEBIAN_SECURITY_MIRROR:-$(uri_for_suite "${SUITE}-security")}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
echo "    tag ${TAG}, recipe ${RECIPE_VERSION}"
echo "    mirror ${MIRROR}, security ${SECURITY_MIRROR}"
echo "    full output goes to ${BUILD_LOG}"
: >"${BUILD_LOG}"
LOG_STARTED=1

# /var/tmp rather than /tmp: the rootfs is several hundred MB and /tmp may be tmpfs.
WORKDIR=$(mktemp -d /var/tmp/teamhub-singleuser.XXXXXX)
ROOTFS=${WORKDIR}/rootfs

step "bootstrapping a minimal Debian ${SUITE} with debootstrap" "about half a minute"
log_run debootstrap --variant=minbase "${SUITE}" "${ROOTFS}" "${MIRROR}"

step "configuring apt and dpkg inside the root filesystem"
# Documentation, man pages and translations are a sizeable part of the image
# and nobody reads them inside a notebook container; the rule stays in the
# image so later apt installs stay slim too.
{
  echo "# TeamHub single-user image: keep documentation and translations out."
  echo "path-exclude=/usr/share/doc/*"
  if [[ ${TEAMHUB_KEEP_COPYRIGHT:-1} != 0 ]]; then
    echo "path-include=/usr/share/doc/*/copyright"
  fi
  echo "path-exclude=/usr/share/man/*"
  echo "path-exclude=/usr/share/info/*"
  echo "path-exclude=/usr/share/locale/*"
  echo "path-exclude=/usr/share/lintian/*"
} >"${ROOTFS}/etc/dpkg/dpkg.cfg.d/teamhub-slim"
# debootstrap unpacked its packages before that rule existed.
if [[ ${TEAMHUB_KEEP_COPYRIGHT:-1} != 0 ]]; then
  find "${ROOTFS}/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
else
  find "${ROOTFS}/usr/share/doc" -mindepth 1 ! -type d -delete
fi
find "${ROOTFS}/usr/share/doc" -mindepth 1 -depth -type d -empty -delete
rm -rf "${ROOTFS}/usr/share/man/"* "${ROOTFS}/usr/share/info/"* \
  "${ROOTFS}/usr/share/locale/"* "${ROOTFS}/usr/share/lintian/"*

cat >"${ROOTFS}/etc/apt/sources.list" <<EOF
deb ${MIRROR} ${SUITE} main
deb ${MIRROR} ${SUITE}-updates main
deb ${SECURITY_MIRROR} ${SUITE}-security main
EOF
cp /etc/resolv.conf "${ROOTFS}/etc/resolv.conf"
# Package scripts must not try to start services inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"${ROOTFS}/usr/sbin/policy-rc.d"
chmod 755 "${ROOTFS}/usr/sbin/policy-rc.d"

step "updating package lists for ${SUITE}, ${SUITE}-updates and ${SUITE}-security"
log_run in_chroot apt-get update

step "installing empty stand-ins for dependencies the single-user server never uses"
# Only replace what the install would really pull in, so the recipe keeps
# working if Debian drops one of these dependencies.
simulated=$(in_chroot apt-get install -s --no-install-recommends "${PACKAGES[@]}" 2>>"${BUILD_LOG}")
mkdir -p "${ROOTFS}/tmp/stand-ins"
stubbed=()
for pkg in "${STAND_INS[@]}"; do
  grep -q "^Inst ${pkg} " <<<"${simulated}" || continue
  mkdir -p "${WORKDIR}/stand-ins/${pkg}/DEBIAN"
  cat >"${WORKDIR}/stand-ins/${pkg}/DEBIAN/control" <<EOF
Package: ${pkg}
Version: ${STAND_IN_VERSION}
Architecture: all
Section: misc
Priority: optional
Maintainer: TeamHub Desktop <teamhub@localhost>
Description: empty stand-in for ${pkg} (TeamHub single-user image)
 Satisfies dependencies on ${pkg} without installing it; the JupyterHub
 single-user server in this image does not use it.
EOF
  log_run dpkg-deb --root-owner-group --build "${WORKDIR}/stand-ins/${pkg}" "${ROOTFS}/tmp/stand-ins/${pkg}.deb"
  stubbed+=("${pkg}")
done
if ((${#stubbed[@]} > 0)); then
  log_run in_chroot sh -c 'dpkg -i /tmp/stand-ins/*.deb'
  echo "    stand-ins: ${stubbed[*]}"
else
  echo "    stand-ins: none needed"
fi
rm -rf "${ROOTFS}/tmp/stand-ins"

step "installing ${PACKAGES[*]}" "about half a minute"
log_run in_chroot apt-get install -y --no-install-recommends "${PACKAGES[@]}"
# shellcheck disable=SC2016 # ${...} is dpkg-query's format syntax, not the shell's
package_count=$(in_chroot dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -c '^ii')
echo "    ${package_count} packages installed in the image"

step "configuring the notebook server and the jovyan user"
if [[ " ${stubbed[*]} " == *" libjs-mathjax "* ]]; then
  # Without MathJax files the classic notebook pops up a modal "Failed to
  # retrieve MathJax" dialog on every notebook; turning MathJax off avoids it
  # (and would otherwise get in the way of browser-driven tests).
  mkdir -p "${ROOTFS}/etc/jupyter"
  cat >"${ROOTFS}/etc/jupyter/jupyter_notebook_config.json" <<'EOF'
{
  "NotebookApp": {
    "enable_mathjax": false
  }
}
EOF
fi
log_run in_chroot useradd -m -u 1000 -s /bin/bash jovyan

step "cleaning apt caches and build leftovers"
log_run in_chroot apt-get clean
rm -f "${ROOTFS}/usr/sbin/policy-rc.d"
rm -rf "${ROOTFS}/var/lib/apt/lists/"* "${ROOTFS}/var/cache/apt/"*.bin \
  "${ROOTFS}/var/cache/debconf/"*-old "${ROOTFS}/var/lib/dpkg/"*-old \
  "${ROOTFS}/tmp/"* "${ROOTFS}/var/tmp/"* "${ROOTFS}/root/.cache"
find "${ROOTFS}/var/log" -type f -delete
# Docker provides these at run time; don't bake the build host's into the image.
: >"${ROOTFS}/etc/resolv.conf"
: >"${ROOTFS}/etc/hostname"

step "importing the root filesystem into docker as ${TAG}"
# Docker supplies /dev, /proc and /sys in every container; the device nodes
# debootstrap created are not wanted in the image.
# PYDEVD_DISABLE_FILE_VALIDATION: without it every python3 kernel start writes
# a four-line "frozen modules" debugger warning into the server log.
tar -C "${ROOTFS}" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
  docker import \
    --change "LABEL org.teamhub.image-recipe=${RECIPE_VERSION}" \
    --change 'USER jovyan' \
    --change 'WORKDIR /home/jovyan' \
    --change 'ENV HOME=/home/jovyan' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PYDEVD_DISABLE_FILE_VALIDATION=1' \
    --change 'EXPOSE 8888' \
    --change 'ENTRYPOINT ["/usr/bin/tini","--"]' \
    --change 'CMD ["jupyterhub-singleuser"]' \
    - "${TAG}" >>"${BUILD_LOG}"

step "checking the new image"
# A broken image must not stay tagged, or the next run would skip the build.
reject_image() {
  docker image rm "${TAG}" >/dev/null 2>&1 || true
  fail "the new image did not pass its check ($1); it was removed again"
}
hub_version=$(docker run --rm "${TAG}" jupyterhub-singleuser --version 2>>"${BUILD_LOG}") ||
  reject_image "jupyterhub-singleuser --version did not run"
[[ ${hub_version} == 3.0.* ]] ||
  reject_image "jupyterhub-singleuser --version printed '${hub_version}', expected 3.0.x"
nb_version=$(docker run --rm "${TAG}" python3 -c 'import ipykernel, notebook; print(notebook.__version__)' 2>>"${BUILD_LOG}") ||
  reject_image "python3 could not import ipykernel and notebook"
# Ask jupyter_client directly: the `jupyter kernelspec` command lives in the
# separate jupyter-client package, which the image does not need.
kernels=$(docker run --rm "${TAG}" python3 -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print(*K().find_kernel_specs())' 2>>"${BUILD_LOG}") ||
  reject_image "listing the kernel specs failed"
grep -qw python3 <<<"${kernels}" || reject_image "no python3 kernel is registered"
echo "    jupyterhub-singleuser ${hub_version}, notebook ${nb_version}, python3 kernel present"

if [[ -n ${previous_id} && ${previous_id} != "$(docker image inspect -f '{{.Id}}' "${TAG}")" ]]; then
  # Fails harmlessly while containers still use the old image.
  docker image rm "${previous_id}" >/dev/null 2>&1 || true
fi

size=$(docker image inspect -f '{{.Size}}' "${TAG}")
elapsed=$((SECONDS - START_SECONDS))
echo "done: image ${TAG} built in ${elapsed}s ($((size / 1000000)) MB)"
