// Locks: the exclusive flock that keeps two instances off one job (see src/pidfile/lock.ts).
#include "corral.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>

// lockFile(path) -> fd (exclusive non-blocking flock held) or -errno; -ESTALE when the file
// locked is no longer the one at `path` (replaced by rename or removed meanwhile: retry).
static napi_value LockFile(napi_env env, napi_callback_info info) {
  char *path = string_arg(env, info);
  if (!path) return make_int(env, -EINVAL);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int err = fd < 0 ? errno : 0;
  if (fd < 0) {
    free(path);
    return make_int(env, -err);
  }
  struct stat held, now;
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    err = errno;
  } else if (fstat(fd, &held) < 0 || stat(path, &now) < 0 || held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
    err = ESTALE;
  }
  free(path);
  if (err) {
    close(fd);
    return make_int(env, -err);
  }
  return make_int(env, fd);
}

void register_locks(napi_env env, napi_value exports) {
  export_fn(env, exports, "lockFile", LockFile);
}
