{
  "targets": [
    {
      "target_name": "corral",
      "sources": ["corral.c", "args.c", "pump.c", "dgram.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-s", "-pthread"]
    }
  ]
}
