// Argument helpers shared by corral.node's C files (see corral.h).
#include "corral.h"

#include <stdlib.h>

napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

int64_t get_int(napi_env env, napi_value v, int64_t fallback) {
  napi_valuetype t;
  int64_t out;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return fallback;
  napi_get_value_int64(env, v, &out);
  return out;
}

char *get_string(napi_env env, napi_value v) {
  size_t len;
  napi_valuetype t;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t != napi_string) return NULL;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

bool get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_typed = false;
  if (!v) return false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, v, &type, len, data, &buffer, &offset);
  return true;
}

napi_value prop(napi_env env, napi_value obj, const char *name) {
  napi_value v;
  napi_valuetype t;
  if (!obj || napi_typeof(env, obj, &t) != napi_ok || t != napi_object) return NULL;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return NULL;
  return v;
}

bool get_bool_prop(napi_env env, napi_value obj, const char *name, bool fallback) {
  napi_value v = prop(env, obj, name);
  bool out;
  if (!v || napi_get_value_bool(env, v, &out) != napi_ok) return fallback;
  return out;
}

int get_int_array(napi_env env, napi_value v, int64_t *out, int max) {
  bool is_array = false;
  uint32_t n = 0;
  if (!v || napi_is_array(env, v, &is_array) != napi_ok || !is_array) return -1;
  napi_get_array_length(env, v, &n);
  int count = 0;
  for (uint32_t i = 0; i < n && count < max; i++) {
    napi_value item;
    if (napi_get_element(env, v, i, &item) == napi_ok) out[count++] = get_int(env, item, 0);
  }
  return count;
}

// The first argument, or NULL.
static napi_value first_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1] = {NULL};
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 1) return NULL;
  return args[0];
}

int64_t int_arg(napi_env env, napi_callback_info info, int64_t fallback) {
  return get_int(env, first_arg(env, info), fallback);
}

char *string_arg(napi_env env, napi_callback_info info) {
  return get_string(env, first_arg(env, info));
}

bool get_fd_bytes(napi_env env, napi_callback_info info, int *fd, void **data, size_t *len) {
  size_t argc = 2;
  napi_value args[2] = {NULL, NULL};
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 2) return false;
  *fd = (int)get_int(env, args[0], -1);
  return get_bytes(env, args[1], data, len);
}

void export_fn(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}
