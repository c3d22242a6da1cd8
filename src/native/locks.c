// Locks: the exclusive flock that keeps two instances off one job (see src/pidfile/lock.ts).
#include "corral.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>

// lockFile(path) -> fd (exclusive non-blocking flock held) or -errno.
static napi_value LockFile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  char *path = get_string(env, args[0]);
  if (!path) return make_int(env, -EINVAL);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int err = fd < 0 ? errno : 0;
  free(path);
  if (fd < 0) return make_int(env, -err);
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    err = errno;
    close(fd);
    return make_int(env, -err);
  }
  return make_int(env, fd);
}

void register_locks(napi_env env, napi_value exports) {
  export_fn(env, exports, "lockFile", LockFile);
}
