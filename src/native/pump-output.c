// The pump's outputs: corral's stdout/stderr (one buffer each, written without blocking, with
// the back-pressure pump.h describes) and log files (written in batches, rotated).
//
// Rotation follows supervisord's RotatingFileHandler: FILE.1 .. FILE.N, newest .1, 0
// backups = the file is truncated instead; but corral rotates at a line boundary, before the
// line that would take the file past maxBytes (supervisord rotates after the write that
// reached it, so its files pass the limit and can split a line across two files).
#include "pump.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NOTICE_ROOM (16 * 1024)
/** A descriptor output's buffer: the queue, one line, notices, and room to advance before moving. */
#define FD_BUFFER_BYTES (4 * QUEUE_LIMIT_BYTES + LINE_ROOM + NOTICE_ROOM)

struct output *outputs = NULL;

static void watch_output(struct output *o, bool on) {
  if (!o->pollable || o->polled == on) return;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = key(WATCH_OUTPUT, o->id)};
  if (epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, o->wfd, &ev) < 0) {
    if (on && errno == EPERM) o->pollable = false;  // a regular file: the tick retries instead
    return;
  }
  o->polled = on;
}

RARE static void mark_broken(struct output *o, int err) {
  o->broken = true;
  o->start = o->end = 0;
  watch_output(o, false);
  char label[16];
  snprintf(label, sizeof label, "%s", o->target == 1 ? "stdout" : "stderr");
  post(EV_BROKEN, o->target, err, label, strlen(label));
}

static int open_log_file(const char *path, bool truncate) {
  return RETRY_EINTR(open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0), 0666));
}

// Writes what is queued until done, the reader is full, or the output fails.
void output_flush(struct output *o) {
  while (o->start < o->end && !o->broken) {
    ssize_t n;
    size_t len = queued(o);
    if (o->use_send) n = RETRY_EINTR(send(o->wfd, o->buf + o->start, len, MSG_DONTWAIT | MSG_NOSIGNAL));
    else n = RETRY_EINTR(write(o->wfd, o->buf + o->start, len));
    if (n > 0) {
      o->start += (size_t)n;
      o->last_progress = now_ns(CLOCK_MONOTONIC);
      if (o->is_file) {
        o->size += n;
        o->file_failing = false;
      }
      if (o->dropping && queued(o) <= QUEUE_LIMIT_BYTES / 2) {
        o->dropping = false;
        if (o->mid_line) o->notice_due = true;
        else append_notices(o);
      }
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    int err = n < 0 ? errno : EIO;
    if (o->is_file) {
      // A full disk or a file gone bad: these bytes are lost; later writes try again.
      if (!o->file_failing) post(EV_FILE_ERROR, o->id, err, o->path, strlen(o->path));
      o->file_failing = true;
      o->start = o->end;
      break;
    }
    mark_broken(o, err);
    return;
  }
  if (o->start == o->end) o->start = o->end = 0;
  watch_output(o, !o->broken && o->start < o->end);  // a broken pipe is always "ready": never watch it
}

static void remove_and_rename(const char *from, const char *to) {
  if (rename(from, to) < 0 && errno != ENOENT) { /* as supervisord: a vanished source is fine */ }
}

// FILE -> FILE.1 -> ... -> FILE.N (the oldest dropped), then a fresh FILE; 0 backups: FILE truncated.
RARE void rotate(struct output *o) {
  output_flush(o);
  close(o->wfd);
  if (o->backups > 0) {
    size_t n = strlen(o->path) + 16;
    char *from = malloc(n), *to = malloc(n);
    for (int i = o->backups - 1; i > 0; i--) {
      snprintf(from, n, "%s.%d", o->path, i);
      snprintf(to, n, "%s.%d", o->path, i + 1);
      remove_and_rename(from, to);
    }
    snprintf(to, n, "%s.1", o->path);
    remove_and_rename(o->path, to);
    free(from);
    free(to);
  }
  o->wfd = open_log_file(o->path, true);
  o->size = 0;
  if (o->wfd < 0) {
    post(EV_FILE_ERROR, o->id, errno, o->path, strlen(o->path));
    o->file_failing = true;
  }
}

// The drop notices, once a reader has caught up: one line per program that lost lines.
RARE void append_notices(struct output *o) {
  for (struct route *r = routes; r; r = r->next) {
    if (r->out != o || r->dropped == 0) continue;
    char line[512];
    int n = snprintf(line, sizeof line, "corral: %lld lines from %s dropped (%s not read)\n", (long long)r->dropped,
                     r->name, o->target == 1 ? "stdout" : "stderr");
    if (n < 0 || (size_t)n >= sizeof line) n = (int)strlen(line);
    make_room(o, (size_t)n);
    memcpy(o->buf + o->end, line, (size_t)n);
    o->end += (size_t)n;
    post(EV_DROPPED, r->id, r->dropped, NULL, 0);
    r->dropped = 0;
  }
}

struct output *find_output(int id) {
  for (struct output *o = outputs; o; o = o->next) if (o->id == id) return o;
  return NULL;
}

// Holds back (or lets go) the programs writing to `o`, and looks for stalls.
void check_pressure(struct output *o, int64_t now) {
  if (o->is_file) return;
  bool stalled = queued(o) > 0 && now - o->last_progress >= STALL_NS;
  bool hold = !o->broken && !stalled &&
              (o->holding ? queued(o) > QUEUE_LIMIT_BYTES / 4 : queued(o) > QUEUE_LIMIT_BYTES / 2);
  if (hold == o->holding) return;
  o->holding = hold;
  for (struct route *r = routes; r; r = r->next) if (r->out == o && r->fd >= 0) watch_route(r, !hold && r->in_len == 0);
}

RARE struct output *fd_output(int target) {
  for (struct output *o = outputs; o; o = o->next) if (!o->is_file && o->target == target) return o;
  struct output *o = calloc(1, sizeof *o);
  o->id = next_id++;
  o->target = target;
  // An own non-blocking open of a pipe or terminal; a socket gets send(MSG_DONTWAIT); anything
  // else (a file) is written as it is.
  struct stat st;
  o->wfd = target;
  if (fstat(target, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", target);
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) o->wfd = fd;
    // A bigger pipe to the reader as well: fewer, larger writes and wake-ups on both sides
    // (best effort, as for the programs' pipes).
    // Only ever grown: a pipe someone made bigger stays so.
    if (S_ISFIFO(st.st_mode)) {
      int size = fcntl(o->wfd, F_GETPIPE_SZ);
      if (size >= 0 && size < READ_BYTES) fcntl(o->wfd, F_SETPIPE_SZ, READ_BYTES);
    }
  } else if (S_ISSOCK(st.st_mode)) {
    o->use_send = true;
  }
  o->pollable = true;
  // Room past the queue, so the queue is moved to the front of the buffer only after
  // several times its size has been written (the move is what a slow reader costs).
  o->cap = FD_BUFFER_BYTES;
  o->buf = malloc(o->cap);
  o->last_progress = now_ns(CLOCK_MONOTONIC);
  o->next = outputs;
  outputs = o;
  return o;
}

RARE struct output *file_output(const char *path, int64_t max_bytes, int backups, int *err) {
  for (struct output *o = outputs; o; o = o->next) if (o->is_file && strcmp(o->path, path) == 0) return o;
  int fd = open_log_file(path, false);
  if (fd < 0) {
    *err = errno;
    return NULL;
  }
  struct output *o = calloc(1, sizeof *o);
  struct stat st;
  o->id = next_id++;
  o->is_file = true;
  o->wfd = fd;
  o->path = strdup(path);
  o->size = fstat(fd, &st) == 0 ? st.st_size : 0;
  o->max_bytes = max_bytes;
  o->backups = backups;
  o->cap = FILE_BATCH_BYTES + LINE_ROOM + READ_BYTES;
  o->buf = malloc(o->cap);
  o->next = outputs;
  outputs = o;
  return o;
}

// pumpReopen's work: every log file is written out, closed and opened again by name.
RARE int reopen_files(void) {
  int failed = 0;
  for (struct output *o = outputs; o; o = o->next) {
    if (!o->is_file) continue;
    output_flush(o);
    if (o->wfd >= 0) close(o->wfd);
    o->wfd = open_log_file(o->path, false);
    struct stat st;
    o->size = o->wfd >= 0 && fstat(o->wfd, &st) == 0 ? st.st_size : 0;
    o->file_failing = o->wfd < 0;
    if (o->wfd < 0) failed++;
  }
  return failed;
}
