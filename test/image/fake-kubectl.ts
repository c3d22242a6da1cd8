// A stand-in for `kubectl exec POD -c CONTAINER -- CMD...` that runs CMD in this test run's
// podman container of that role, so examples/kubernetes/stop-all.sh runs as written.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { containerName } from "./podman.ts";

/**
 * Writes the stand-in into a fresh folder under `parent` and returns that folder (put it first on PATH).
 * @example const bin = fakeKubectl(".cache/image", "vfs"); spawn("sh", ["stop-all.sh"], { env: { PATH: `${bin}:${process.env.PATH}` } })
 */
export function fakeKubectl(parent: string, storageDriver: string): string {
  const bin = mkdtempSync(join(parent, "kubectl-"));
  writeFileSync(join(bin, "kubectl"), `#!/bin/sh
if [ "$1" != exec ] || [ "$3" != -c ] || [ "$5" != -- ]; then echo "fake kubectl: expected exec POD -c CONTAINER -- CMD, got: $*" >&2; exit 2; fi
container=$4; shift 5
exec podman --storage-driver ${storageDriver} exec ${containerName("")}"$container" "$@"
`);
  chmodSync(join(bin, "kubectl"), 0o755);
  return bin;
}
