#!/usr/bin/python3
"""Executes notebooks headlessly with the Deno kernel, for CI and `deno task nb`.

Run it through `scripts/run_notebooks.ts` (which registers a project-local kernelspec). Works
around the two defects of the Deno 2.9.6 kernel when notebooks run headlessly:

1. A cell's result is sometimes published after the kernel reports the cell idle; stock nbclient
   drops it. This client keeps reading IOPub for 50 ms after idle.
2. Syntax errors and failed imports come back as a bare "Execution failed"; this client reports
   the notebook, the cell number and its source, and asks `deno check` about the cell alone.

A notebook cell may declare what it must output, in its metadata:
`{"shardline": {"expect": ["text/html", "image/svg+xml"], "updates": true}}`: the MIME types
among its outputs, and (`updates`) that it replaced a displayed output in place at least once
(update_display_data). A missing output fails the run like a cell error.

Usage: nbrun.py [-p NAME=VALUE ...] [--output-dir DIR] [--report FILE] NOTEBOOK...
`-p` replaces `const NAME = ...;` in the notebook's first code cell (its parameters).
"""
import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

LATE_OUTPUT_SECONDS = 0.05


class DenoNotebookClient(NotebookClient):
    """nbclient with the late-output fix and a count of in-place display updates per cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.updates = {}
        self.current = None

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        self.current = cell_index
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] == "update_display_data":
            self.updates[cell_index] = self.updates.get(cell_index, 0) + 1
        return super().process_message(msg, cell, cell_index)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        # The kernel may publish the cell's result after idle: keep reading a little longer.
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=LATE_OUTPUT_SECONDS)
                )
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def set_parameters(nb, params, path):
    cell = next((c for c in nb.cells if c.cell_type == "code"), None)
    if cell is None:
        raise SystemExit(f"{path}: no code cell to set parameters in")
    for name, value in params:
        pattern = re.compile(rf"^(\s*const {re.escape(name)}\s*=\s*).*?;(.*)$", re.M)
        if not pattern.search(cell.source):
            raise SystemExit(f"{path}: the first code cell has no `const {name} = ...;`")
        cell.source = pattern.sub(lambda m: f"{m.group(1)}{value};{m.group(2)}", cell.source, 1)


def mimes_of(cell):
    out = set()
    for o in cell.get("outputs", []):
        out.update(o.get("data", {}).keys())
    return out


def diagnose(source, cwd):
    """Type-checks a cell's source alone, to name a syntax error or a failed import."""
    fd, path = tempfile.mkstemp(suffix=".ts", prefix=".nbcell-", dir=cwd)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(source)
        deno = os.environ.get("DENO", "deno")
        r = subprocess.run([deno, "check", "--quiet", path], capture_output=True, text=True,
                           env={**os.environ, "NO_COLOR": "1"}, timeout=120)
        lines = []
        for line in (r.stdout + r.stderr).splitlines():
            if line.startswith("Stack backtrace"):
                break
            if line.strip():
                lines.append(line)
        return "\n".join(lines[:20])
    except Exception as e:  # a diagnosis that fails must not hide the original error
        return f"(deno check could not run: {e})"
    finally:
        os.unlink(path)


def run(path, params, output_dir, timeout):
    cwd = os.path.dirname(os.path.abspath(path))
    problems = []
    # jupyter_client picks free ports and closes them before the kernel binds them, so a kernel
    # started beside others can lose a port to them (AddrInUse) and die before its first reply.
    # Nothing has run then: start it again, on fresh ports, up to three times.
    for attempt in range(3):
        nb = nbformat.read(path, as_version=4)
        set_parameters(nb, params, path)
        client = DenoNotebookClient(nb, kernel_name="deno", timeout=timeout,
                                    resources={"metadata": {"path": cwd}})
        try:
            client.execute()
            break
        except RuntimeError as e:
            if "Kernel died before replying to kernel_info" not in str(e) or attempt == 2:
                raise
            print(f"nbrun: {path}: the kernel died while starting ({e}); starting it again",
                  file=sys.stderr)
        except CellExecutionError as e:
            failed = client.current
            text = str(e)
            if failed is not None:
                source = nb.cells[failed].source
                text = f"cell {failed}:\n{source}\n---\n{text}"
                if "Execution failed" in str(e):
                    text += "\n--- deno check of the cell alone:\n" + diagnose(source, cwd)
            problems.append(text)
            break
    report = {"notebook": path, "cells": []}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        mimes = mimes_of(cell)
        meta = cell.get("metadata", {}).get("shardline", {})
        entry = {"index": i, "mimes": sorted(mimes), "updates": client.updates.get(i, 0),
                 "outputs": len(cell.get("outputs", []))}
        report["cells"].append(entry)
        if problems or cell.get("execution_count") is None:
            continue
        missing = [m for m in meta.get("expect", []) if m not in mimes]
        if missing:
            problems.append(f"cell {i} lacks expected output {', '.join(missing)} "
                            f"(has {', '.join(sorted(mimes)) or 'none'}):\n{cell.source}")
        if meta.get("updates") and entry["updates"] == 0:
            problems.append(f"cell {i} never updated its output in place:\n{cell.source}")
    if output_dir:
        os.makedirs(output_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(output_dir, os.path.basename(path)))
    return report, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--output-dir")
    ap.add_argument("--report")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = ap.parse_args()
    params = [tuple(p.split("=", 1)) for p in args.param]
    reports, failed = [], False
    for path in args.notebooks:
        report, problems = run(path, params, args.output_dir, args.timeout)
        reports.append(report)
        for p in problems:
            failed = True
            print(f"{path}: {p}", file=sys.stderr)
        print(f"{path}: {'FAILED' if problems else 'ok'}", file=sys.stderr)
    if args.report:
        with open(args.report, "w") as f:
            json.dump(reports, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
