import assert from "node:assert/strict";
import { hostname } from "node:os";
import { processGone, processIds } from "./process_identity.ts";

Deno.test({
  name:
    "processGone: a live process is not gone; exited, reused pid, other host or boot decide right",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const child = new Deno.Command("sleep", { args: ["30"], stdout: "null", stderr: "null" })
      .spawn();
    try {
      const record = { host: hostname(), pid: child.pid, ...processIds(child.pid) };
      assert.ok(record.boot_id && record.pid_start && record.pid_ns, JSON.stringify(record));
      assert.equal(processGone(record), false, "alive");
      // The pid now names a process that started at another time: a reused pid.
      assert.equal(
        processGone({ ...record, pid_start: String(Number(record.pid_start) - 1) }),
        true,
      );
      // Another host, another boot, another pid namespace: this process cannot tell.
      assert.equal(processGone({ ...record, host: `not-${hostname()}`, pid: 999_999_999 }), false);
      assert.equal(processGone({ ...record, boot_id: "another-boot", pid: 999_999_999 }), false);
      assert.equal(processGone({ ...record, pid_ns: "pid:[1]", pid: 999_999_999 }), false);
      child.kill("SIGKILL");
      await child.status;
      assert.equal(processGone(record), true, "exited");
      // A record without ids (written where /proc is missing) is checked by its pid.
      assert.equal(processGone({ host: hostname(), pid: child.pid }), true);
      assert.equal(processGone({ host: hostname(), pid: Deno.pid }), false);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
  },
});
