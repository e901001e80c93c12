/** What the view tests share (not a test module). */

/** Every file under `root` with its modification time (what a write would change). */
export async function fileTimes(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else out.set(path.slice(root.length + 1), (await Deno.stat(path)).mtime!.getTime());
    }
  };
  await walk(root);
  return out;
}
