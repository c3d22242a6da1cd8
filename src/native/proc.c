// /proc reads corral needs at run time, here so that Deno's permissions need no --allow-all
// (Deno lets nothing narrower read /proc): a subreaper's descendants at shutdown, and whether a
// pidfile's process is a zombie.
#include "corral.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// One /proc file read into `buf` (NUL-terminated); bytes read, or -1.
static ssize_t read_proc(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  size_t n = fread(buf, 1, size - 1, f);
  fclose(f);
  buf[n] = 0;
  return (ssize_t)n;
}

// A growable list of pids.
typedef struct {
  int *pids;
  size_t len, cap;
} pid_list;

static void push(pid_list *l, int pid) {
  if (l->len == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->pids = realloc(l->pids, l->cap * sizeof(int));
  }
  l->pids[l->len++] = pid;
}

// Appends the children of `pid` (every thread's /proc/PID/task/TID/children); false when the
// kernel has no such lists (then the caller scans /proc).
static bool children_of(int pid, pid_list *out) {
  char path[320], buf[8192];  // room for "/proc/PID/task/" + a d_name (256) + "/children"
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *tasks = opendir(path);
  if (!tasks) return true;  // exited meanwhile
  bool ok = true;
  struct dirent *e;
  while ((e = readdir(tasks))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/%d/task/%s/children", pid, e->d_name);
    if (read_proc(path, buf, sizeof buf) < 0) {
      if (errno == ENOENT) { ok = false; break; }
      continue;
    }
    for (char *p = buf; *p;) {
      char *end;
      long child = strtol(p, &end, 10);
      if (end == p) break;
      push(out, (int)child);
      p = end;
    }
  }
  closedir(tasks);
  return ok;
}

// The parent pid in /proc/PID/stat (field 4, after the command name, which may hold ") ").
static int ppid_of(const char *pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  if (read_proc(path, buf, sizeof buf) < 0) return -1;
  char *close = strrchr(buf, ')');
  if (!close) return -1;
  int ppid = -1;
  if (sscanf(close + 2, "%*c %d", &ppid) != 1) return -1;
  return ppid;
}

// Every descendant of `root` by one scan of /proc (the fallback).
static void descendants_by_scan(int root, pid_list *out) {
  pid_list all_pid = {0}, all_ppid = {0};
  DIR *proc = opendir("/proc");
  if (!proc) return;
  struct dirent *e;
  while ((e = readdir(proc))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int ppid = ppid_of(e->d_name);
    if (ppid < 0) continue;
    push(&all_pid, atoi(e->d_name));
    push(&all_ppid, ppid);
  }
  closedir(proc);
  pid_list queue = {0};
  push(&queue, root);
  while (queue.len) {
    int parent = queue.pids[--queue.len];
    for (size_t i = 0; i < all_pid.len; i++) {
      if (all_ppid.pids[i] != parent) continue;
      push(out, all_pid.pids[i]);
      push(&queue, all_pid.pids[i]);
    }
  }
  free(all_pid.pids);
  free(all_ppid.pids);
  free(queue.pids);
}

// descendants(root) -> [pid, ...]: walks the children lists down from `root` (only corral's
// own subtree), or scans all of /proc where the kernel lacks those lists.
static napi_value Descendants(napi_env env, napi_callback_info info) {
  napi_value out;
  int root = (int)int_arg(env, info, 0);
  pid_list found = {0}, queue = {0};
  push(&queue, root);
  bool lists = true;
  while (queue.len && lists) {
    int pid = queue.pids[--queue.len];
    size_t before = found.len;
    lists = children_of(pid, &found);
    for (size_t i = before; i < found.len; i++) push(&queue, found.pids[i]);
  }
  if (!lists) {
    found.len = 0;
    descendants_by_scan(root, &found);
  }
  CHECK(napi_create_array_with_length(env, found.len, &out));
  for (size_t i = 0; i < found.len; i++) napi_set_element(env, out, (uint32_t)i, make_int(env, found.pids[i]));
  free(found.pids);
  free(queue.pids);
  return out;
}

// processState(pid) -> the state letter of /proc/PID/stat ("R", "S", "Z", ...), or "" when gone.
static napi_value ProcessState(napi_env env, napi_callback_info info) {
  napi_value out;
  char path[64], buf[1024], state[2] = {0, 0};
  snprintf(path, sizeof path, "/proc/%d/stat", (int)int_arg(env, info, 0));
  if (read_proc(path, buf, sizeof buf) >= 0) {
    char *close = strrchr(buf, ')');
    if (close && close[1] == ' ' && close[2]) state[0] = close[2];
  }
  CHECK(napi_create_string_utf8(env, state, NAPI_AUTO_LENGTH, &out));
  return out;
}

void register_proc(napi_env env, napi_value exports) {
  export_fn(env, exports, "descendants", Descendants);
  export_fn(env, exports, "processState", ProcessState);
}
