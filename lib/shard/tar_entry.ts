/**
 * {@linkcode TarEntry}: one tar member as the streaming reader yields it.
 *
 * @module
 */

/**
 * One tar member with its byte positions in the (decompressed) archive.
 *
 * PAX (`x`) and GNU long-name (`L`, `K`) headers are folded into the member they describe;
 * `headerOffset` points at the first of them, so `[headerOffset, end)` is a self-contained tar
 * of this member.
 */
export interface TarEntry {
  /** Member path (PAX `path` and GNU long names applied). */
  name: string;
  /**
   * The typeflag as one character: `"0"` regular file (also for the old NUL flag), `"7"`
   * contiguous file, `"5"` directory, `"2"` symlink, `"1"` hard link, and so on.
   */
  type: string;
  /** Data size in bytes (PAX `size` applied). */
  size: number;
  /** Permission bits. */
  mode: number;
  /** Modification time in seconds since the epoch (fractional when PAX says so). */
  mtime: number;
  /** Link target for links, else `""`. */
  linkname: string;
  /** Offset of the member's first header block (PAX or GNU extension header included). */
  headerOffset: number;
  /** Offset of the member's data. */
  dataOffset: number;
  /** Offset just past the member's padded data: where the next header starts. */
  end: number;
  /**
   * The member data. A view into the input chunk when the chunk held the whole member (no
   * copy), else a fresh buffer. Don't mutate input chunks while entries are in use.
   */
  data: Uint8Array;
}
