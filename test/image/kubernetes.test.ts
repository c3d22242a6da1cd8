// examples/kubernetes: the manifests pass an offline schema check against the Kubernetes API,
// and the pod is what the README promises (corral as PID 1 of each container, a shared
// /var/vcap/data emptyDir for the control sockets).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkManifests, parseManifests, type Manifest } from "./manifest-check.ts";

const DIR = join(process.cwd(), "examples/kubernetes");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const inputs = files.map((f) => ({ file: `examples/kubernetes/${f}`, manifests: parseManifests(f, readFileSync(join(DIR, f), "utf8")) }));

interface Container { name: string; args?: string[]; command?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }
interface PodSpec { containers: Container[]; volumes?: Array<{ name: string; emptyDir?: object }> }

test("the example manifests pass the Kubernetes 1.30 schema check", () => {
  assert.ok(inputs.length > 0, "no manifests in examples/kubernetes");
  assert.equal(checkManifests(inputs), []);
});

test("the schema check rejects misspelled fields, wrong types and missing names", () => {
  const pod = (container: object): Manifest => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [container] } });
  const problems = checkManifests([{ file: "bad.yaml", manifests: [
    pod({ name: "a", image: "i", volumeMount: [] }),
    pod({ name: "a", image: "i", args: "--job-name web" }),
    pod({ image: "i" }),
    { apiVersion: "v1", kind: "Pood" },
  ] }]);
  assert.is(problems.length, 4, problems.join("\n"));
  assert.match(problems[0]!, /^bad\.yaml: document 4 \(Pood\): apiVersion\/kind "v1\/Pood"/);
  assert.match(problems[1]!, /^bad\.yaml: document 1 \(Pod\): .*'"volumeMount"' does not exist in type 'Container'/);
  assert.match(problems[2]!, /^bad\.yaml: document 2 \(Pod\): .*not assignable to type 'string\[\]'/);
  assert.match(problems[3]!, /^bad\.yaml: document 3 \(Pod\): .*'name' is missing/);
});

test("each container of the example pod runs corral with a job name and mounts the shared emptyDir", () => {
  const pods = inputs.flatMap((i) => i.manifests).filter((m) => m.kind === "Pod");
  assert.ok(pods.length > 0, "no Pod in examples/kubernetes");
  for (const pod of pods) {
    const spec = pod["spec"] as PodSpec;
    const shared = spec.volumes?.find((v) => v.emptyDir !== undefined);
    assert.ok(shared, "an emptyDir volume");
    assert.ok(spec.containers.length >= 2, "several containers, one job each");
    for (const c of spec.containers) {
      assert.is(c.command, undefined, `${c.name}: command would replace corral, the image's ENTRYPOINT`);
      assert.ok(c.args?.includes("--job-name"), `${c.name}: --job-name enables the control socket`);
      assert.ok(c.volumeMounts?.some((m) => m.name === shared!.name && m.mountPath === "/var/vcap/data"), `${c.name}: mounts ${shared!.name} at /var/vcap/data`);
    }
  }
});

test.run();
