{
  "targets": [
    {
      "target_name": "corral",
      "sources": ["corral.c", "args.c", "spawn.c", "signals.c", "io.c", "locks.c", "pump.c", "dgram.c", "proc.c", "fds.c", "listen.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-s", "-pthread", "-Wl,-z,now"]
    }
  ]
}
