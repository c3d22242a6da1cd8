{
  "targets": [
    {
      "target_name": "corral",
      "sources": ["corral.c", "args.c", "spawn.c", "signals.c", "io.c", "locks.c", "pump-loop.c", "pump-output.c", "pump-format.c", "pump-raw.c", "pump-tails.c", "pump-events.c", "pump-napi.c", "dgram.c", "proc.c", "fds.c", "listen.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-s", "-pthread", "-Wl,-z,now"]
    }
  ]
}
