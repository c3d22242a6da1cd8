// Bench job: does nothing, so `deno run` on it is the floor under corral on Deno (as `node -e 0` is on Node).
