#!/bin/sh
# Sends VERB to every corral job of a pod through ONE of its containers: all control sockets sit
# in the shared /var/vcap/data, where `corral ctl VERB --all` finds them (the image has no shell).
# Usage: stop-all.sh [POD] [CONTAINER] [VERB]   (defaults: corral-demo web stop; VERB: stop|start)
# Through `kubectl exec`; with PODMAN set (PODMAN=podman, global flags allowed), through
# `podman exec POD-CONTAINER`, the name `podman kube play` gives the pod's container.
set -eu
pod=${1:-corral-demo} container=${2:-web} verb=${3:-stop}
set -- /usr/bin/node /opt/corral/corral.js ctl "$verb" --all
if [ -n "${PODMAN:-}" ]; then
  # shellcheck disable=SC2086 # PODMAN is a command line: split it
  exec $PODMAN exec "$pod-$container" "$@"
fi
exec kubectl exec "$pod" -c "$container" -- "$@"
