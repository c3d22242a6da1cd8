// The pump's events to JavaScript: gathered while the lock is held (post), handed to one napi
// threadsafe function once it is released, and turned into the call onEvent(type, id, a, bytes?)
// on the JS thread (call_js). Raw output chunks are copied into the one buffer JS gave pumpStart.
#include "pump.h"

struct event {
  int type, id;
  int64_t a;
  char *data;
  size_t len;
};

static napi_threadsafe_function tsfn;
// The Uint8Array JS gave pumpStart, which every output event's bytes are copied into (a view of
// it is what JS gets): a new ArrayBuffer per event would be garbage at the pipe's rate, and V8
// frees those only at its next GC (RssAnon +40 MiB under a fast writer, on Node and Deno).
static napi_ref output_ref = NULL;
static unsigned char *output_data = NULL;
static size_t output_len = 0;
int64_t event_bytes = 0;  // raw-output bytes posted to JS and not yet delivered
// Events gathered while the lock is held, posted after it is released.
static struct event *pending_events = NULL;
static size_t pending_count = 0, pending_cap = 0;

void post(int type, int id, int64_t a, const char *data, size_t len) {
  if (pending_count == pending_cap) {
    pending_cap = pending_cap ? pending_cap * 2 : 16;
    pending_events = realloc(pending_events, pending_cap * sizeof *pending_events);
  }
  struct event *e = &pending_events[pending_count++];
  e->type = type;
  e->id = id;
  e->a = a;
  e->len = len;
  e->data = NULL;
  if (data) {
    e->data = malloc(len ? len : 1);
    memcpy(e->data, data, len);
  }
}

// Hands the gathered events to JS; called without the lock.
static void flush_events(struct event *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    struct event *e = malloc(sizeof *e);
    *e = list[i];
    if (napi_call_threadsafe_function(tsfn, e, napi_tsfn_nonblocking) != napi_ok) {
      if (e->type == EV_OUTPUT) __atomic_sub_fetch(&event_bytes, (int64_t)e->len, __ATOMIC_RELAXED);
      free(e->data);
      free(e);
    }
  }
}

void take_and_flush_events(void) {
  if (pending_count == 0) return;
  struct event *list = pending_events;
  size_t n = pending_count;
  pending_events = NULL;
  pending_count = pending_cap = 0;
  pthread_mutex_unlock(&lock);
  flush_events(list, n);
  free(list);
  pthread_mutex_lock(&lock);
}

// A view of the first `len` bytes of the output buffer (pumpStart's second argument), or NULL.
static bool output_view(napi_env env, size_t len, napi_value *view) {
  napi_value whole, ab;
  size_t offset;
  if (!output_ref || len > output_len || napi_get_reference_value(env, output_ref, &whole) != napi_ok || !whole) return false;
  if (napi_get_typedarray_info(env, whole, NULL, NULL, NULL, &ab, &offset) != napi_ok) return false;
  return napi_create_typedarray(env, napi_uint8_array, len, ab, offset, view) == napi_ok;
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  struct event *e = data;
  if (env && cb) {
    napi_value args[4], global, bytes;
    napi_create_int32(env, e->type, &args[0]);
    napi_create_int32(env, e->id, &args[1]);
    napi_create_int64(env, e->a, &args[2]);
    napi_get_undefined(env, &args[3]);
    if (e->type == EV_OUTPUT && e->data && output_view(env, e->len, &bytes)) {
      memcpy(output_data, e->data, e->len);  // valid until the next output event: JS uses it during the call
      args[3] = bytes;
    } else if (e->data) {
      void *copy;
      napi_value ab;
      if (napi_create_arraybuffer(env, e->len, &copy, &ab) == napi_ok) {
        memcpy(copy, e->data, e->len);
        napi_create_typedarray(env, napi_uint8_array, e->len, ab, 0, &bytes);
        args[3] = bytes;
      }
    }
    napi_get_global(env, &global);
    napi_call_function(env, global, cb, 4, args, NULL);
  }
  if (e->type == EV_OUTPUT) __atomic_sub_fetch(&event_bytes, (int64_t)e->len, __ATOMIC_RELAXED);
  free(e->data);
  free(e);
}

// pumpStart's set-up: the output buffer (when it is big enough to hold a read) and the
// threadsafe function, which does not keep the event loop alive.
RARE int events_start(napi_env env, napi_value cb, napi_value buffer) {
  napi_value name;
  void *data = NULL;
  size_t data_len = 0;
  if (!output_ref && buffer && get_bytes(env, buffer, &data, &data_len) && data_len >= READ_BYTES &&
      napi_create_reference(env, buffer, 1, &output_ref) == napi_ok) {
    output_data = data;
    output_len = data_len;
  }
  if (!tsfn) {
    napi_create_string_utf8(env, "corral log pump", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, cb, NULL, name, 0, 1, NULL, NULL, NULL, call_js, &tsfn) != napi_ok) return -EINVAL;
    napi_unref_threadsafe_function(env, tsfn);
  }
  return 0;
}
