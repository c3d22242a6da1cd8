// What the socket-activation and sd_notify tests share: a launcher that hands a command TCP
// listeners at fds 3, 4, … (as systemd or crun would), a client of those listeners, and a
// datagram socket standing for a service manager's NOTIFY_SOCKET. Python, so that neither
// side is the runtime under test.
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { until, type Finished } from "./helpers.ts";

/** Binds argv[1] TCP listeners, moves them to fds 3, 4, …, opens /dev/null at the next fd and at
 * fd 20 (announced to nobody), prints the ports as JSON and execs the rest of argv. */
export const LAUNCH = `
import fcntl, json, os, socket, sys
count = int(sys.argv[1])
socks = [socket.socket() for _ in range(count)]
for s in socks:
    s.bind(("127.0.0.1", 0))
    s.listen(8)
ports = [s.getsockname()[1] for s in socks]
high = [fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 100) for s in socks]
for s in socks:
    s.close()
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i)
    os.close(fd)
null = os.open("/dev/null", os.O_RDONLY)
for fd in (3 + count, 20):
    os.dup2(null, fd)
os.close(null)
print(json.dumps(ports), flush=True)
os.execvp(sys.argv[2], sys.argv[2:])
`;

/** A launched command: the ports of its listeners, its end, the launcher's pid (exec'd into the command). */
export interface Launched {
  ports: Promise<number[]>;
  done: Promise<Finished>;
  pid: number;
}

/** Runs the launcher with `count` sockets and `env`, then `command` (corral's argv as a whole). */
export function launch(count: number, command: string[], env: Record<string, string> = {}): Launched {
  const t0 = Date.now();
  const child = spawn("python3", ["-c", LAUNCH, String(count), ...command], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_EXTRA_CA_CERTS: "", CORRAL_CONTROL_SOCKET: "", ...env },
  });
  let out = "", err = "";
  child.stderr.on("data", (d) => (err += d));
  const ports = new Promise<number[]>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0]!;
      if (out.includes("\n")) resolve(JSON.parse(line) as number[]);
    });
    child.on("close", () => reject(new Error(`exited before printing its ports: ${out} ${err}`)));
  });
  ports.catch(() => {});
  const done = new Promise<Finished>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - t0 })));
  return { ports, done, pid: child.pid! };
}

/** One connection to `port`: the job's first line, and a hang-up to end its turn. */
export async function ask(port: number): Promise<{ line: string; hangUp: () => void }> {
  const socket = connect(port, "127.0.0.1");
  let got = "";
  await new Promise<void>((resolve, reject) => {
    socket.on("data", (d) => { got += d; if (got.includes("\n")) resolve(); });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed before a line: ${got}`)));
  });
  return { line: got.trim(), hangUp: () => socket.destroy() };
}

/** Binds argv[1] (a path, or @name in the abstract namespace) and prints each datagram as a JSON string. */
export const RECEIVE = `
import json, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + path[1:] if path.startswith("@") else path)
print(json.dumps("bound"), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

/** A receiver at `address`: the datagrams so far. */
export interface Receiver {
  messages: string[];
  child: ChildProcess;
}

export async function receiver(address: string): Promise<Receiver> {
  const child = spawn("python3", ["-c", RECEIVE, address], { stdio: ["ignore", "pipe", "inherit"] });
  const messages: string[] = [];
  let buffered = "";
  child.stdout!.on("data", (d) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) messages.push(JSON.parse(line) as string);
  });
  await until("the receiver to bind", () => messages[0] === "bound");
  messages.shift();
  return { messages, child };
}

