// Control-API throughput (issue 21): supervisorctl-style XML-RPC requests, one connection each,
// from 50 concurrent clients at corral --config and at Debian's supervisord, each PID 1 of its
// own namespace with the same four programs; requests per second and PID 1's CPU per request.
import { appendFileSync, existsSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { IN_NAMESPACE, cpuSeconds, during, inScratch, namespaceInit, now, waitFor } from "../lib/proc.mjs";
import { supervisors } from "../lib/subjects.mjs";

const RUNS = 3;
const CLIENTS = 50;
const WARMUP = 1000;
const REQUESTS = 5000;
const PROGRAMS = 4;
const START_TIMEOUT_MS = 10_000;
/** What supervisorctl asks most: status (getAllProcessInfo) and the state check before it. */
const METHODS = ["supervisor.getAllProcessInfo", "supervisor.getState"];

export const about =
  `rpc: ${PROGRAMS} programs (\`sleep 100N\`) and a [unix_http_server] in one config, run as PID 1 by \`corral --config\` and ` +
  `\`supervisord -n\`; ${CLIENTS} clients send ${REQUESTS} XML-RPC requests (${METHODS.join(" and ")} in turn) after a ` +
  `${WARMUP}-request warm-up, each on its own connection with Connection: close, as supervisorctl does. Requests per ` +
  `second is wall time (load-sensitive on a shared machine); CPU per request is PID 1's utime+stime over the run. ${RUNS} runs each, interleaved.`;

const bodies = METHODS.map((m) => `<?xml version='1.0'?>\n<methodCall>\n<methodName>${m}</methodName>\n<params>\n</params>\n</methodCall>\n`);

function request(sock, i) {
  const body = bodies[i % bodies.length];
  return new Promise((resolve) => {
    const s = connect(sock);
    let got = "";
    s.on("connect", () => s.write(`POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
    s.on("data", (d) => (got += d));
    s.on("close", () => resolve(got.startsWith("HTTP/1.1 200")));
    s.on("error", () => {});
  });
}

async function load(sock, total) {
  let next = 0, ok = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < total) if (await request(sock, next++)) ok++;
  }));
  if (ok !== total) throw new Error(`${total - ok} of ${total} requests got no 200`);
}

function once(subject, file, sock, log) {
  return during([...IN_NAMESPACE, ...subject.argv(file)], async (run) => {
    await waitFor(() => existsSync(sock), { what: `${subject.name}: control socket`, timeoutMs: START_TIMEOUT_MS });
    const t = now();
    while (!(await request(sock, 1))) {
      if (now() - t > START_TIMEOUT_MS) throw new Error(`${subject.name}: no answer on ${sock}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await load(sock, WARMUP).catch((e) => { throw new Error(`${subject.name}: ${e.message}`); });
    const init = namespaceInit(run.child.pid);
    const cpu0 = cpuSeconds(init);
    const t0 = now();
    await load(sock, REQUESTS);
    const ms = now() - t0;
    return { perSecond: REQUESTS / (ms / 1000), cpuUs: ((cpuSeconds(init) - cpu0) / REQUESTS) * 1e6 };
  }, { stdio: log });
}

/** Requests per second and CPU per request of each supervisor's control API. */
export default async function rpc(inits, corrals) {
  const subjects = supervisors(corrals);
  const results = new Map(subjects.map((s) => [s.name, []]));
  await inScratch("rpc", async (dir, log) => {
    const programs = Object.fromEntries(Array.from({ length: PROGRAMS }, (_, i) => [`p${i + 1}`, { command: `sleep ${1001 + i}` }]));
    const file = writeConfig(dir, programs);
    const sock = join(dir, "rpc.sock");
    appendFileSync(file, `\n[unix_http_server]\nfile=${sock}\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n`);
    for (let run = 0; run < RUNS; run++) {
      for (const subject of subjects) {
        rmSync(sock, { force: true }); // the last one's, left by its SIGKILL
        results.get(subject.name).push(await once(subject, file, sock, log));
      }
    }
  });
  const corral = corrals[0]?.name;
  return [
    ...subjects.map((s) => ({
      measure: `control API, ${CLIENTS} clients: requests/s`, subject: s.name, unit: "req/s", samples: results.get(s.name).map((r) => r.perSecond),
      ...(s.name === corral ? { target: { min: 1, against: "supervisord" } } : {}),
    })),
    ...subjects.map((s) => ({
      measure: "control API: PID 1 CPU per request", subject: s.name, unit: "µs", samples: results.get(s.name).map((r) => r.cpuUs),
      ...(s.name === corral ? { target: { max: 1, against: "supervisord" } } : {}),
    })),
  ];
}
