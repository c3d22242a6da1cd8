// Prefixed and JSON lines: a chunk cut into lines, each written into its output with the
// route's prefix or as a JSON object ({"time","program","stream","pid"[,"continued"],"line"}),
// lines over MAX_LINE_BYTES cut into marked pieces. Whole lines of a chunk go through the hot
// loops (lines_fast, json_fast), which format a batch straight into the output; the rest (a
// partial or overlong line, a queue over half full) through feed_lines and emit_line. The hot
// loops' helpers are static inline here or in pump.h: keep them in this file.
#include "pump.h"

#include <stdio.h>

// Cached "YYYY-MM-DDTHH:MM:SS" for the current second.
static time_t stamp_second = -1;
static char stamp_text[32];

// Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there are not one.
static size_t utf8_sequence(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) { len = 3; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++) if ((s[i] & 0xc0) != 0x80) return 0;
  return len;
}

// Whether the 8 bytes of the word `w` are all printable ASCII other than " and \ (copied as they are):
// the bit tricks of "Bit Twiddling Hacks" (haszero, hasless), exact for "any byte", on a word.
static inline bool plain_word(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t control = (w - ones * 0x20) & ~w;  // a byte below 0x20
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  quote = (quote - ones) & ~quote;
  backslash = (backslash - ones) & ~backslash;
  return ((control | quote | backslash | w) & highs) == 0;  // w: a byte of 0x80 or more
}

static inline bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Writes `s` as the inside of a JSON string: ", \ and control characters escaped, every
// byte that is not part of valid UTF-8 replaced by \ufffd. At most 6 bytes out per byte in.
static size_t json_escape(char *dst, const unsigned char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  char *d = dst;
  size_t i = 0;
  while (i < n) {
    // A run of printable ASCII is copied as it is, a word at a time as it is checked.
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!plain_word(w)) break;
      memcpy(d, &w, 8);
      d += 8;
      i += 8;
    }
    while (i < n && plain(s[i])) *d++ = (char)s[i++];
    if (i == n) break;
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      *d++ = '\\';
      *d++ = (char)c;
      i++;
    } else if (c < 0x20) {
      *d++ = '\\';
      switch (c) {
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        default: *d++ = 'u'; *d++ = '0'; *d++ = '0'; *d++ = hex[c >> 4]; *d++ = hex[c & 15];
      }
      i++;
    } else {
      size_t len = utf8_sequence(s + i, n - i);
      if (len) {
        memcpy(d, s + i, len);
        d += len;
        i += len;
      } else {
        memcpy(d, "\\ufffd", 6);
        d += 6;
        i++;
      }
    }
  }
  return (size_t)(d - dst);
}

// "2026-12-01T13:18:15.123Z" (24 bytes) for the wall-clock time `ns`.
static size_t rfc3339(char *dst, int64_t ns) {
  time_t sec = (time_t)(ns / 1000000000LL);
  if (sec != stamp_second) {
    struct tm tm;
    gmtime_r(&sec, &tm);
    strftime(stamp_text, sizeof stamp_text, "%Y-%m-%dT%H:%M:%S", &tm);
    stamp_second = sec;
  }
  int ms = (int)((ns / 1000000LL) % 1000);
  memcpy(dst, stamp_text, 19);
  dst[19] = '.';
  dst[20] = (char)('0' + ms / 100);
  dst[21] = (char)('0' + ms / 10 % 10);
  dst[22] = (char)('0' + ms % 10);
  dst[23] = 'Z';
  return 24;
}

/** The most json_object_head() writes for route `r`. */
#define JSON_OBJECT_HEAD_BYTES(r) (9 + 24 + (r)->json_head_len + (r)->pid_len + 17 + 9)

// Writes a JSON line's object up to its "line" string's first character at `d`:
// {"time":"…","program":…,"stream":…,"pid":N[,"continued":true],"line":" — its length.
static size_t json_object_head(const struct route *r, char *d, int64_t wall_ns, bool continued) {
  char *start = d;
  memcpy(d, "{\"time\":\"", 9);
  d += 9;
  d += rfc3339(d, wall_ns);
  memcpy(d, r->json_head, r->json_head_len);
  d += r->json_head_len;
  memcpy(d, r->pid_text, r->pid_len);
  d += r->pid_len;
  if (continued) {
    memcpy(d, ",\"continued\":true", 17);
    d += 17;
  }
  memcpy(d, ",\"line\":\"", 9);
  d += 9;
  return (size_t)(d - start);
}

// One line (or piece of an overlong one) of a prefix or JSON route, newline added.
void emit_line(struct route *r, const unsigned char *bytes, size_t n, bool continued, int64_t wall_ns) {
  struct output *o = r->out;
  if (o->broken) return;
  make_room(o, LINE_ROOM);
  char *at = o->buf + o->end, *d = at;
  if (r->format == FORMAT_JSON) {
    d += json_object_head(r, d, wall_ns, continued);
    d += json_escape(d, bytes, n);
    memcpy(d, "\"}\n", 3);
    d += 3;
  } else {
    const char *p = continued ? r->continued_prefix : r->prefix;
    size_t plen = continued ? r->continued_len : r->prefix_len;
    memcpy(d, p, plen);
    d += plen;
    memcpy(d, bytes, n);
    d += n;
    *d++ = '\n';
  }
  size_t size = (size_t)(d - at);
  if (o->is_file) before_file_line(o, size);  // may write out what is queued; the line stays put after it
  if (!admit(r, size)) return;
  if (o->start == o->end && o->end != (size_t)(at - o->buf)) {
    // rotate() emptied the queue and reset it: move the line to the front.
    memmove(o->buf, at, size);
    at = o->buf;
  }
  o->end = (size_t)(at - o->buf) + size;
  line_ended(o);
  // Write as we go (unless the reader is known to be full): a chunk of short lines can grow
  // several times over once formatted.
  if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
}

// Where to cut a full piece so no UTF-8 character is split (as src/logs/line-splitter.ts did).
static size_t char_boundary(const unsigned char *b, size_t end) {
  size_t back = end - 1;
  while (back > 0 && end - back < 4 && (b[back] & 0xc0) == 0x80) back--;
  unsigned char lead = b[back];
  size_t width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return back > 0 && back + width > end ? back : end;
}

// Cuts `data` into lines for emit_line, keeping a partial line for the next chunk. Returns
// how much it took: it stops at a line boundary when the output must wait.
static size_t feed_lines(struct route *r, const unsigned char *data, size_t len, int64_t wall_ns) {
  size_t pos = 0;
  while (pos < len) {
    if (must_wait(r->out)) return pos;
    const unsigned char *nl = memchr(data + pos, '\n', len - pos);
    size_t seg_end = nl ? (size_t)(nl - data) : len;
    size_t seg = seg_end - pos;
    if (r->partial_len + seg > MAX_LINE_BYTES) {
      size_t take = MAX_LINE_BYTES - r->partial_len;
      memcpy(r->partial + r->partial_len, data + pos, take);
      size_t cut = char_boundary((unsigned char *)r->partial, MAX_LINE_BYTES);
      emit_line(r, (unsigned char *)r->partial, cut, r->continued, wall_ns);
      r->continued = true;
      r->partial_len = MAX_LINE_BYTES - cut;
      memmove(r->partial, r->partial + cut, r->partial_len);
      pos += take;
      continue;
    }
    if (!nl) {
      memcpy(r->partial + r->partial_len, data + pos, seg);
      r->partial_len += seg;
      return len;
    }
    if (r->partial_len == 0) {
      emit_line(r, data + pos, seg, r->continued, wall_ns);
    } else {
      memcpy(r->partial + r->partial_len, data + pos, seg);
      emit_line(r, (unsigned char *)r->partial, r->partial_len + seg, r->continued, wall_ns);
      r->partial_len = 0;
    }
    r->continued = false;
    pos = seg_end + 1;
  }
  return len;
}

/** Bytes the lines hot loop formats between checks of the queue (and flushes). */
#define PREFIX_BATCH_BYTES (64 * 1024)

// The newline in [p, end), looked for byte by byte first: most lines of a chatty program are
// short, and memchr's set-up costs more than such a line.
static inline const unsigned char *next_newline(const unsigned char *p, const unsigned char *end) {
  const unsigned char *stop = end - p > 16 ? p + 16 : end;
  for (const unsigned char *q = p; q < stop; q++) if (*q == '\n') return q;
  return stop < end ? memchr(stop, '\n', (size_t)(end - stop)) : NULL;
}

/** The longest JSON object head (time, program, stream, pid) the JSON hot loop builds. */
#define JSON_HEAD_MAX 512

// The hot loop of both line formats: whole lines of a chunk with no partial line pending,
// each written straight into the output as `head` and the line (2-byte lines make the
// per-line cost all that counts), a batch of up to PREFIX_BATCH_BYTES between checks of the
// queue. For JSON the line is escaped and the object closed. Returns how far it got; the rest
// (a partial or overlong line, a full queue) goes through feed_lines.
// Inlined into lines_fast once per pair of constant flags, so each copy of the per-line loop
// keeps its work in registers (one loop testing both flags spilled them to the stack).
static inline __attribute__((always_inline)) size_t lines_fast_as(struct route *r, const unsigned char *data, size_t len,
                                                                  const char *head, size_t hlen, const bool json, const bool short_head) {
  struct output *o = r->out;
  // A local copy of a short prefix: the output cannot alias it, so it stays in registers.
  char short_copy[SHORT_PREFIX_BYTES];
  if (short_head) {
    memcpy(short_copy, head, SHORT_PREFIX_BYTES);
    head = short_copy;
  }
  const size_t longest = hlen + (json ? 6 * MAX_LINE_BYTES + 3 : MAX_LINE_BYTES + 1) + SHORT_PREFIX_BYTES;
  const unsigned char *p = data, *end = data + len;
  while (p < end) {
    if (queued(o) > QUEUE_LIMIT_BYTES / 2) break;  // feed_lines decides: wait, or drop for a stalled reader
    if (queued(o) == 0) o->last_progress = now_ns(CLOCK_MONOTONIC);
    // Room for the batch and one more line of the longest kind (it may pass the batch's end).
    make_room(o, PREFIX_BATCH_BYTES + longest);
    char *d = o->buf + o->end, *batch_end = d + PREFIX_BATCH_BYTES;
    bool stop = false;
    while (p < end && d < batch_end) {
      const unsigned char *nl = next_newline(p, end);
      size_t line = nl ? (size_t)(nl - p) + 1 : 0;  // with its newline
      if (!nl || line > MAX_LINE_BYTES + 1) {
        stop = true;
        break;
      }
      if (short_head) memcpy(d, head, SHORT_PREFIX_BYTES);  // one block; what follows overwrites the rest
      else if (json) for (size_t k = 0; k < hlen; k += 16) memcpy(d + k, head + k, 16);  // fixed blocks: no call per line
      else memcpy(d, head, hlen);
      d += hlen;
      if (json) {
        d += json_escape(d, p, line - 1);
        memcpy(d, "\"}\n", 3);
        d += 3;
      } else {
        // A short line with 16 bytes readable is one fixed block too (what follows it is overwritten).
        if (line <= 16 && end - p >= 16) memcpy(d, p, 16);
        else memcpy(d, p, line);
        d += line;
      }
      p += line;
    }
    o->end = (size_t)(d - o->buf);
    if (queued(o) >= FILE_BATCH_BYTES && !o->polled) output_flush(o);
    if (o->broken) return len;  // the reader is gone (EPIPE): the rest is discarded, as emit_line does
    if (stop) break;
  }
  if (p > data) line_ended(o);
  return (size_t)(p - data);
}

static size_t lines_fast(struct route *r, const unsigned char *data, size_t len, const char *head, size_t hlen, bool json) {
  struct output *o = r->out;
  if (r->partial_len > 0 || r->continued || o->broken || o->dropping || o->is_file) return 0;
  if (json) return lines_fast_as(r, data, len, head, hlen, true, false);
  // Only the prefix buffer is padded to SHORT_PREFIX_BYTES.
  if (hlen <= SHORT_PREFIX_BYTES) return lines_fast_as(r, data, len, head, hlen, false, true);
  return lines_fast_as(r, data, len, head, hlen, false, false);
}

// The JSON hot loop: every line of a chunk carries the chunk's time (one clock read per read),
// so the object's head up to "line":" is the same for all of them and is built once.
static size_t json_fast(struct route *r, const unsigned char *data, size_t len, int64_t wall_ns) {
  if (JSON_OBJECT_HEAD_BYTES(r) > JSON_HEAD_MAX) return 0;
  char head[JSON_HEAD_MAX];
  return lines_fast(r, data, len, head, json_object_head(r, head, wall_ns, false), true);
}

// Formats `data` into the route's output; returns how much it took (less than len only when
// the output must wait).
size_t format(struct route *r, const unsigned char *data, size_t len) {
  if (r->format == FORMAT_RAW) {
    if (!r->out->is_file) return feed_raw_fd(r, data, len);
    feed_raw(r, data, len);
    return len;
  }
  int64_t wall_ns = r->format == FORMAT_JSON ? now_ns(CLOCK_REALTIME) : 0;
  size_t done = r->format == FORMAT_PREFIX ? lines_fast(r, data, len, r->prefix, r->prefix_len, false) : json_fast(r, data, len, wall_ns);
  return done + feed_lines(r, data + done, len - done, wall_ns);
}

RARE void set_json_head(struct route *r) {
  size_t name_len = strlen(r->name);
  r->json_head = malloc(6 * name_len + 64);
  char *d = r->json_head;
  d += sprintf(d, "\",\"program\":\"");
  d += json_escape(d, (unsigned char *)r->name, name_len);
  d += sprintf(d, "\",\"stream\":\"%s\",\"pid\":", r->stream == 2 ? "stderr" : "stdout");
  r->json_head_len = (size_t)(d - r->json_head);
}
