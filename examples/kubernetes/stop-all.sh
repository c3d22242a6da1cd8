#!/bin/sh
# Sends VERB to every corral job of a pod through ONE of its containers: all control sockets sit
# in the shared /var/vcap/data, where `corral ctl VERB --all` finds them (the image has no shell).
# Usage: stop-all.sh [POD] [CONTAINER] [VERB]   (defaults: corral-demo web stop; VERB: stop|start)
set -eu
exec kubectl exec "${1:-corral-demo}" -c "${2:-web}" -- /usr/bin/node /opt/corral/corral.js ctl "${3:-stop}" --all
