#!/bin/sh
# Sends one bpm verb to every corral job of a pod through ONE of its containers: the sockets of
# all jobs sit in the shared /var/vcap/data. The image has no shell or find, so node lists them.
# Usage: stop-all.sh [POD] [CONTAINER] [VERB]   (defaults: corral-demo web stop; VERB: start|stop|term|quit)
set -eu
pod=${1:-corral-demo}
via=${2:-web}
verb=${3:-stop}

kubectl exec "$pod" -c "$via" -- /usr/bin/node -e '
const fs = require("fs"), data = "/var/vcap/data", suffix = "_containerrun.sock";
for (const job of fs.readdirSync(data, { withFileTypes: true }).filter((e) => e.isDirectory()))
  for (const file of fs.readdirSync(data + "/" + job.name))
    if (file.endsWith(suffix)) console.log(job.name, file.slice(0, -suffix.length));' |
while read -r job process; do
  echo "$verb $job/$process"
  kubectl exec "$pod" -c "$via" -- /usr/bin/node /opt/corral/corral.js bpm "$verb" "$job" -p "$process" </dev/null
done
