"""Runs a Pulumi Python program for the stand-in Python language host (tools/engine/sdkhost), with the Python SDK of
the program's environment: what the real host's pulumi-language-python-exec does for a program whose dependencies
are installed. Config comes in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS, which the SDK reads itself."""

import argparse
import asyncio
import os
import runpy
import sys

from pulumi.runtime import settings, stack

parser = argparse.ArgumentParser()
for flag in ("monitor", "engine", "project", "stack", "organization", "root"):
    parser.add_argument(f"--{flag}", default=None)
parser.add_argument("--parallel", type=int, default=None)
parser.add_argument("--dry_run", default="false")
parser.add_argument("program")
args = parser.parse_args()

settings.configure(
    settings.Settings(
        project=args.project,
        stack=args.stack,
        monitor=args.monitor,
        engine=args.engine,
        parallel=args.parallel,
        dry_run=args.dry_run == "true",
        organization=args.organization,
        root_directory=args.root,
    )
)
program = os.path.abspath(args.program)
os.chdir(program if os.path.isdir(program) else os.path.dirname(program))
sys.path.insert(0, os.getcwd())
entry = os.path.join(program, "__main__.py") if os.path.isdir(program) else program


def main():
    runpy.run_path(entry, run_name="__main__")


# A failing program raises here: its traceback goes to stderr, which the engine shows, and the exit code fails the run.
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.run_until_complete(stack.run_in_stack(main))
