// The narrow files port config loading needs (read a file, list a directory, tell files from
// directories, the host name): node:fs and node:os, which both runtimes provide (Deno through
// its Node compatibility), kept here so nothing above src/os/ touches them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";

/** What a path is, as the config loader asks. */
export type PathKind = "file" | "directory" | "other";

/** File system reads for the config loader; throwing ones throw an Error with a `code` (ENOENT, EACCES, …). */
export interface ConfigFiles {
  /** The file's text; throws when it cannot be read. */
  readText(path: string): string;
  /** The entries of a directory; throws when it cannot be read. */
  list(path: string): string[];
  /** What `path` is (symlinks followed); throws when there is nothing there. */
  kind(path: string): PathKind;
  /** This machine's host name (`%(host_node_name)s`). */
  hostname(): string;
}

/**
 * The machine's own files.
 * @example systemFiles.kind("/etc") // "directory"
 */
export const systemFiles: ConfigFiles = {
  readText: (path) => readFileSync(path, "utf8"),
  list: (path) => readdirSync(path),
  kind(path) {
    const st = statSync(path);
    return st.isFile() ? "file" : st.isDirectory() ? "directory" : "other";
  },
  hostname: () => hostname(),
};
