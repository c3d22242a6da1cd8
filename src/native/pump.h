// The log pump: one thread of its own, epoll over the programs' pipes, their lines written
// to corral's stdout/stderr (with a prefix, as JSON lines, or unchanged when a route is read
// only to report its output as events) or to rotating files, with no
// JavaScript per chunk. JavaScript sets routes up and gets events back through one napi
// threadsafe function: dropped-line counts, a broken output, a file error, a route's end,
// raw output chunks for routes that ask for them, and readable datagram sockets (dgram.c).
//
// Back-pressure, per output descriptor (as corral's JS writer did before): up to 1 MiB is
// kept for a reader that is behind; while that reader still reads, programs writing to it
// are held back (their pipes not read) once over half of it is used; a reader that took
// nothing for 1 s is stalled, and then whole lines are dropped and counted until half of
// the queue is free, when one notice per program says how many were lost. EPIPE or any other
// write error ends that output (its lines are discarded from then on).
//
// One concern per file; their shared state is guarded by one lock, held by the pump thread
// while it works and by the JS functions:
//   pump-loop.c    the thread, its epoll loop, and routes (read, fed, ended, freed)
//   pump-output.c  per-output buffers, writing, back-pressure, drop notices, rotation
//   pump-format.c  prefix and JSON lines, with the hot loops (fast paths) they run through
//   pump-raw.c     raw routes: bytes unchanged, to corral's stdout/stderr or a rotating file
//   pump-tails.c   the in-memory tails and their JS functions
//   pump-events.c  events gathered under the lock and posted to JavaScript
//   pump-napi.c    the pump's JS functions (pumpStart, pumpRoute, ..., pumpFlush's drain at exit)
// This header holds what they share: the structs, the limits, the small helpers the hot
// paths call per line (static inline, so they stay inlined in every file), and the functions
// one file offers the others (hidden: direct calls, nothing exported from the addon).
#ifndef PUMP_H
#define PUMP_H
#include "corral.h"

#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

/** Lines longer than this are cut into pieces (as src/logs did: the later ones marked). */
#define MAX_LINE_BYTES (16 * 1024)
/** Bytes kept per output descriptor for a reader that is behind. */
#define QUEUE_LIMIT_BYTES (1024 * 1024)
/** Room past the limit: one formatted line (JSON escapes up to 6 bytes per byte) plus notices. */
#define LINE_ROOM (6 * MAX_LINE_BYTES + 1024)
/** One read from a program's pipe, which is made this big (F_SETPIPE_SZ, when allowed). */
#define READ_BYTES (1024 * 1024)
/** File outputs are written once this much is pending, and at the end of every read. */
#define FILE_BATCH_BYTES (64 * 1024)
/** A reader that takes nothing for this long is stalled. */
#define STALL_NS 1000000000LL
/** A prefix this short is copied as one fixed-size block (its buffer is padded to it). */
#define SHORT_PREFIX_BYTES 32

/** Set-up, control and error paths, run rarely: compiled for size (the addon has a size budget). */
#define RARE __attribute__((cold))

enum format { FORMAT_RAW = 0, FORMAT_PREFIX = 1, FORMAT_JSON = 2 };
enum watch_kind { WATCH_WAKE = 1, WATCH_ROUTE = 2, WATCH_OUTPUT = 3, WATCH_DGRAM = 4 };
enum event_type { EV_DROPPED = 1, EV_BROKEN = 2, EV_FILE_ERROR = 3, EV_ENDED = 4, EV_OUTPUT = 5, EV_READABLE = 6 };
enum read_result { READ_EMPTY, READ_DATA, READ_END };

struct output {
  int id;
  bool is_file;
  int target;          // 1 or 2 for corral's own outputs
  int wfd;             // what is written: an own non-blocking open, the target itself, or the file
  bool use_send;       // a socket: send(MSG_DONTWAIT) on the (blocking, shared) target
  bool pollable;       // epoll can watch wfd for EPOLLOUT
  bool polled;         // ... and does now
  char *path;          // files
  int64_t size, max_bytes;
  int backups;
  bool file_failing;   // a write error was reported; the next success clears it
  char *buf;
  size_t start, end, cap;
  bool dropping, holding, broken;
  // A raw route left a line unfinished at the queue's end; the drop notices, due meanwhile,
  // wait for a line's end so they never land inside one.
  bool mid_line, notice_due;
  int64_t last_progress;
  struct output *next;
};

struct tail;

struct route {
  int id, fd, pid, stream;  // stream: 1 stdout, 2 stderr
  struct output *out;
  struct tail *tail;        // NULL: no in-memory tail
  int format;
  char *prefix, *continued_prefix;
  size_t prefix_len, continued_len;
  char *json_head;          // ","program":"NAME","stream":"stdout","pid":
  size_t json_head_len;
  char *name;
  char pid_text[24];
  size_t pid_len;
  bool events, paused, at_line_start;
  bool skip_line;     // raw to stdout/stderr: the line being read was dropped (a stalled reader)
  bool awaiting_pid;  // a JSON route is not read until its program's pid is known
  // Read but not yet formatted: the output was over half full for a live reader. The pipe is
  // not read again until this is done, which holds the program back.
  unsigned char *in;
  size_t in_start, in_len;  // in[in_start .. in_start + in_len)
  char partial[MAX_LINE_BYTES];
  size_t partial_len;
  bool continued;
  // A raw route to a rotating file: the start of a line not ended yet (rotation is decided on
  // whole lines), or `streaming` the rest of one too long to hold.
  unsigned char *held;
  size_t held_len, held_cap;
  bool streaming;
  int64_t dropped;
  struct route *next;
};

#pragma GCC visibility push(hidden)

// ---------------------------------------------------------------- pump-loop.c
extern pthread_mutex_t lock;
extern bool started, stopped;
extern int epfd;
extern struct route *routes;
extern int next_id;  // ids of routes, outputs and tails

void watch_route(struct route *r, bool on);
void end_route(struct route *r);
// Reads once from a readable pipe.
enum read_result route_read(struct route *r);
// Formats what a route kept, as far as its output lets; true once nothing is left.
bool resume_route(struct route *r);
struct route *find_route(int id);
// Wakes the pump thread (a route was added or may be read again).
void wake(void);

// ---------------------------------------------------------------- pump-output.c
extern struct output *outputs;

// Writes what is queued until done, the reader is full, or the output fails.
void output_flush(struct output *o);
// FILE -> FILE.1 -> ... -> FILE.N (the oldest dropped), then a fresh FILE; 0 backups: FILE truncated.
RARE void rotate(struct output *o);
// The drop notices, once a reader has caught up: one line per program that lost lines.
RARE void append_notices(struct output *o);
// Holds back (or lets go) the programs writing to `o`, and looks for stalls.
void check_pressure(struct output *o, int64_t now);
struct output *find_output(int id);
// The output to corral's fd `target` (1 or 2), made on first use.
RARE struct output *fd_output(int target);
// The output to the log file `path`, opened on first use; NULL with *err set when it cannot be.
RARE struct output *file_output(const char *path, int64_t max_bytes, int backups, int *err);
// Writes out, closes and reopens every log file by name; how many could not be reopened.
RARE int reopen_files(void);

// ---------------------------------------------------------------- pump-format.c
// Formats `data` into the route's output; returns how much it took (less than len only when
// the output must wait).
size_t format(struct route *r, const unsigned char *data, size_t len);
// One line (or piece of an overlong one) of a prefix or JSON route, newline added.
void emit_line(struct route *r, const unsigned char *bytes, size_t n, bool continued, int64_t wall_ns);
// r->json_head for r->name and r->stream: ","program":"NAME","stream":"stdout","pid":
RARE void set_json_head(struct route *r);

// ---------------------------------------------------------------- pump-raw.c
// A raw route to corral's stdout/stderr; returns how much it took.
size_t feed_raw_fd(struct route *r, const unsigned char *data, size_t len);
// A raw route to a file.
void feed_raw(struct route *r, const unsigned char *data, size_t len);
// Writes what a route holds (its line has ended, or the route has) and lets a big buffer go.
void write_held(struct route *r, bool rotate_first);

// ---------------------------------------------------------------- pump-tails.c
struct tail *find_tail(int id);
// Appends `n` bytes to a tail: only the last `cap` are kept.
void tail_write(struct tail *t, const char *data, size_t n);
void register_tails(napi_env env, napi_value exports);

// ---------------------------------------------------------------- pump-events.c
extern int64_t event_bytes;  // raw-output bytes posted to JS and not yet delivered

// Gathers an event (its data copied) to be posted once the lock is released.
void post(int type, int id, int64_t a, const char *data, size_t len);
// Posts the gathered events to JS: releases the lock meanwhile (called with it held).
void take_and_flush_events(void);
// Sets up the threadsafe function to `cb` and the output buffer (pumpStart); 0 or -errno.
RARE int events_start(napi_env env, napi_value cb, napi_value buffer);

#pragma GCC visibility pop

// ---------------------------------------------------------------- helpers of the hot paths

static inline int64_t now_ns(int clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline uint64_t key(int kind, int id) { return ((uint64_t)kind << 32) | (uint32_t)id; }

static inline size_t queued(const struct output *o) { return o->end - o->start; }

// Room for `n` more bytes at the end of the buffer (moves what is queued to the front).
static inline void make_room(struct output *o, size_t n) {
  if (o->cap - o->end >= n) return;
  if (o->start > 0) {
    memmove(o->buf, o->buf + o->start, queued(o));
    o->end -= o->start;
    o->start = 0;
  }
  if (o->cap - o->end < n) {
    o->cap = o->end + n;
    o->buf = realloc(o->buf, o->cap);
  }
}

// Before `line_bytes` more bytes start a line in a file: rotate if they would pass maxBytes.
static inline void before_file_line(struct output *o, size_t line_bytes) {
  if (o->max_bytes <= 0) return;
  int64_t size = o->size + (int64_t)queued(o);
  if (size > 0 && size + (int64_t)line_bytes > o->max_bytes) rotate(o);
}

// Whether the output takes a line of `size` more bytes; counts it as dropped otherwise.
static inline bool admit(struct route *r, size_t size) {
  struct output *o = r->out;
  if (o->broken) return false;
  if (o->is_file) return true;  // files do not wait for a reader
  if (!o->dropping && queued(o) + size <= QUEUE_LIMIT_BYTES) {
    if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);  // the wait starts now
    return true;
  }
  o->dropping = true;
  r->dropped++;
  return false;
}

// A line of `o` has ended: drop notices held back until then go out now.
static inline void line_ended(struct output *o) {
  o->mid_line = false;
  if (o->notice_due) {
    o->notice_due = false;
    append_notices(o);
  }
}

// Whether formatting for `o` must wait: over half its queue is used and the reader still
// reads (a stalled one costs dropped lines instead). Files never wait.
static inline bool must_wait(struct output *o) {
  if (o->is_file || o->broken || queued(o) <= QUEUE_LIMIT_BYTES / 2) return false;
  return now_ns(CLOCK_MONOTONIC) - o->last_progress < STALL_NS;
}

#endif
