// Bench job: does nothing as a CommonJS module, so `deno run` on it is Deno's floor with its Node compatibility loaded (corral's bundle is CommonJS).
