// [include] files= patterns matched like Python's glob.glob: *, ?, [abc], [!abc] within one
// path segment, dotfiles only for patterns that start with a dot, files only, sorted.
import { join } from "node:path";
import { expected } from "./errors.ts";
import { systemFiles } from "../os/files.ts";

const MAGIC = /[*?[]/;

/**
 * Whether a pattern has wildcards (a pattern without them names one file that must exist).
 * @example isGlob("/etc/corral.d/*.conf") // true
 */
export function isGlob(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** Translates one path segment to a RegExp like Python's fnmatch; an unclosed [ is a BadValue. */
function segmentRegex(segment: string, pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      let j = i + 1;
      if (segment[j] === "!") j++;
      if (segment[j] === "]") j++;
      const close = segment.indexOf("]", j);
      if (close < 0) throw expected("a glob pattern with every [ closed by ]", pattern);
      const body = segment.slice(i + 1, close);
      const negate = body.startsWith("!");
      re += `[${negate ? "^" : ""}${(negate ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Checks an absolute pattern's wildcards without touching the file system.
 * @example checkGlob("/etc/corral.d/[ab.conf") // throws BadValue
 */
export function checkGlob(pattern: string): void {
  for (const segment of pattern.split("/")) if (isGlob(segment)) segmentRegex(segment, pattern);
}

/** Entries of a directory, none when it cannot be read (like glob). */
function list(dir: string): string[] {
  try {
    return systemFiles.list(dir);
  } catch {
    return [];
  }
}

/** Whether a path is a regular file (or a link to one). */
function isFile(path: string): boolean {
  try {
    return systemFiles.kind(path) === "file";
  } catch {
    return false;
  }
}

/**
 * Regular files matching an absolute pattern, sorted.
 * @example globFiles("/etc/supervisor/conf.d/*.conf") // ["/etc/supervisor/conf.d/web.conf"]
 */
export function globFiles(pattern: string): string[] {
  let paths = ["/"];
  for (const segment of pattern.split("/").filter(Boolean)) {
    if (!isGlob(segment)) {
      paths = paths.map((p) => join(p, segment));
      continue;
    }
    const re = segmentRegex(segment, pattern);
    const hidden = segment.startsWith(".");
    paths = paths.flatMap((dir) => list(dir).filter((n) => (hidden || !n.startsWith(".")) && re.test(n)).map((n) => join(dir, n)));
  }
  return paths.filter(isFile).sort();
}
