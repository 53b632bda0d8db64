#!/usr/bin/env python3
"""Re-runs every `$ deptrace ...` example in README.md and pastes its real output.

Run from the repository root after `swift build`:  python3 docs/refresh_readme_examples.py
Examples on `broken.dtrace.jsonl` run in /tmp, where a broken file of that name is written first.
"""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "debug", "deptrace")
BROKEN = """{"deptrace":1,"method":"h2o","sample":"17"}
{"step":"prefill","q":[0,8]}
{"step":"decode","q":[8,1]}
{"evict":[[3,4],[12,13]]}
{"end":{"correct":true}}
{"deptrace":1,"method":"h2o","sample":"18"}
{"step":"prefill","q":[0,8]}
{"step":"decode","q":[8,1]}
"""


def run(command):
    cwd = ROOT
    if "broken.dtrace.jsonl" in command:
        cwd = "/tmp"
        with open("/tmp/broken.dtrace.jsonl", "w") as handle:
            handle.write(BROKEN)
    # Through the shell, so that globs such as Traces/*.dtrace.jsonl expand as they would for a reader.
    result = subprocess.run(BINARY + command[len("deptrace"):], shell=True, cwd=cwd, capture_output=True, text=True)
    return result.stdout + result.stderr


def refresh_block(block):
    """A fenced block of `$ deptrace ...` commands, each followed by its output.

    Blocks with other commands, or with commands that write files for the next
    ones, are a sequence: they are left as written.
    """
    commands = [line for line in block.splitlines() if line.startswith("$ ")]
    if not commands or any(not c.startswith("$ deptrace ") or " -o " in c for c in commands):
        return block
    return "".join("$ %s\n%s" % (c[2:], run(c[2:])) for c in commands)


def main():
    path = os.path.join(ROOT, "README.md")
    with open(path) as handle:
        text = handle.read()
    text = re.sub(r"(?<=```\n)(\$ .*?)(?=```)", lambda match: refresh_block(match.group(1)), text, flags=re.S)
    with open(path, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
