/**
 * Folders that only this user can change: where shardline keeps what it will later run or trust
 * (job code, bundles, the local supervisors' sockets, their logs), often under the shared OS
 * temp folder, where another user could have made the folder first.
 *
 * @module
 */
import { mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, resolve } from "node:path";

/**
 * Creates `dir` (owner-only, with missing parents) and resolves to whether it can be trusted:
 * it and its parent (unless that is the OS temp folder, whose sticky bit protects its entries)
 * belong to this user and no other user may write to them. False where it cannot be made, or on
 * a system without user ids (nothing to check there: true).
 */
export async function privateDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const uid = Deno.uid();
    if (uid === null) return true;
    const own = async (path: string) => {
      const s = await stat(path);
      return s.isDirectory() && s.uid === uid && (s.mode & 0o022) === 0;
    };
    const parent = dirname(resolve(dir));
    return await own(dir) && (parent === resolve(tmpdir()) || parent === "/" || await own(parent));
  } catch {
    return false;
  }
}
