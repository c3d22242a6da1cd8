{
  "targets": [
    {
      "target_name": "corral",
      "sources": ["corral.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "ldflags": ["-s"]
    }
  ]
}
