// In-memory tails: a route may also keep the last bytes of its program's output (as written,
// before any format) in a tail (a ring of at most `cap` bytes, grown as output comes), which
// the control API reads as if it were a log file that is never rotated: its size is every
// byte written since the last clear, and only the last `cap` bytes of it can be read.
// Tails need no pump thread (tailOpen, tailWrite, tailSize, tailRead, tailClear are here).
#include "pump.h"

/** A tail's buffer starts this small and doubles up to its cap as output comes. */
#define TAIL_FIRST_BYTES 4096

struct tail {
  int id;
  char *buf;
  size_t cap, alloc;  // at most cap bytes kept; alloc of them allocated (0 until output comes)
  int64_t total;      // bytes written since the last clear: byte v is at buf[v % cap]
  struct tail *next;
};

static struct tail *tails = NULL;

struct tail *find_tail(int id) {
  for (struct tail *t = tails; t; t = t->next) if (t->id == id) return t;
  return NULL;
}

// Appends `n` bytes: only the last `cap` are kept. While the buffer is smaller than its cap,
// nothing has wrapped yet (total <= alloc), so v % cap is v and growing keeps every byte.
void tail_write(struct tail *t, const char *data, size_t n) {
  if (t->cap == 0 || n == 0) return;
  if (n > t->cap) {
    t->total += (int64_t)(n - t->cap);
    data += n - t->cap;
    n = t->cap;
  }
  if (t->alloc < t->cap && (size_t)t->total + n > t->alloc) {
    size_t want = t->alloc ? t->alloc : TAIL_FIRST_BYTES;
    while (want < (size_t)t->total + n) want *= 2;
    if (want > t->cap) want = t->cap;
    char *grown = realloc(t->buf, want);
    if (!grown) return;  // out of memory: this output is not kept
    t->buf = grown;
    t->alloc = want;
  }
  size_t at = (size_t)(t->total % (int64_t)t->cap), first = t->cap - at < n ? t->cap - at : n;
  memcpy(t->buf + at, data, first);
  memcpy(t->buf, data + first, n - first);
  t->total += (int64_t)n;
}

// tailOpen(cap) -> a tail's id: keeps the last `cap` bytes written to it (routes with
// `tail: id`, or tailWrite). Needs no pump thread.
RARE static napi_value TailOpen(napi_env env, napi_callback_info info) {
  int64_t cap = int_arg(env, info, 0);
  struct tail *t = calloc(1, sizeof *t);
  pthread_mutex_lock(&lock);
  t->id = next_id++;
  t->cap = cap > 0 ? (size_t)cap : 0;
  t->next = tails;
  tails = t;
  pthread_mutex_unlock(&lock);
  return make_int(env, t->id);
}

// tailWrite(id, bytes) -> 0 or -ENOENT: appends to a tail (corral's own messages).
RARE static napi_value TailWrite(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || !get_bytes(env, args[1], &data, &len)) return make_int(env, -EINVAL);
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)get_int(env, args[0], -1));
  if (t) tail_write(t, data, len);
  pthread_mutex_unlock(&lock);
  return make_int(env, t ? 0 : -ENOENT);
}

// tailSize(id) -> bytes written since the last clear (the offset the next byte gets), or -ENOENT.
RARE static napi_value TailSize(napi_env env, napi_callback_info info) {
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)int_arg(env, info, -1));
  int64_t total = t ? t->total : -ENOENT;
  pthread_mutex_unlock(&lock);
  return make_int(env, total);
}

// tailRead(id, offset, length) -> the kept bytes of [offset, offset + length): a Uint8Array,
// shorter (or empty) where bytes were never written or are no longer kept; -ENOENT.
RARE static napi_value TailRead(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  int64_t offset = argc > 1 ? get_int(env, args[1], 0) : 0, length = argc > 2 ? get_int(env, args[2], 0) : 0;
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)get_int(env, args[0], -1));
  if (!t) {
    pthread_mutex_unlock(&lock);
    return make_int(env, -ENOENT);
  }
  int64_t kept = t->total < (int64_t)t->cap ? t->total : (int64_t)t->cap;
  int64_t from = offset > t->total - kept ? offset : t->total - kept;
  int64_t to = length > 0 && offset + length < t->total ? offset + length : t->total;
  size_t n = to > from ? (size_t)(to - from) : 0;
  void *copy = NULL;
  napi_value ab, bytes;
  if (napi_create_arraybuffer(env, n, &copy, &ab) != napi_ok) {
    pthread_mutex_unlock(&lock);
    return make_int(env, -ENOMEM);
  }
  if (n > 0) {
    size_t at = (size_t)(from % (int64_t)t->cap), first = t->cap - at < n ? t->cap - at : n;
    memcpy(copy, t->buf + at, first);
    memcpy((char *)copy + first, t->buf, n - first);
  }
  pthread_mutex_unlock(&lock);
  napi_create_typedarray(env, napi_uint8_array, n, ab, 0, &bytes);
  return bytes;
}

// tailClear(id) -> 0 or -ENOENT: empties a tail (its size is 0 again) and frees its buffer.
RARE static napi_value TailClear(napi_env env, napi_callback_info info) {
  pthread_mutex_lock(&lock);
  struct tail *t = find_tail((int)int_arg(env, info, -1));
  if (t) {
    free(t->buf);
    t->buf = NULL;
    t->alloc = 0;
    t->total = 0;
  }
  pthread_mutex_unlock(&lock);
  return make_int(env, t ? 0 : -ENOENT);
}

void register_tails(napi_env env, napi_value exports) {
  export_fn(env, exports, "tailOpen", TailOpen);
  export_fn(env, exports, "tailWrite", TailWrite);
  export_fn(env, exports, "tailSize", TailSize);
  export_fn(env, exports, "tailRead", TailRead);
  export_fn(env, exports, "tailClear", TailClear);
}
