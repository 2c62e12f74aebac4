"""Record the shape of every API answer the functional suite sees, to check that a change
kept the API's answers byte for byte in form (status, keys in order, the type of each value).

    .venv/bin/python scripts/answer_shapes.py before.txt     # on the commit before a change
    .venv/bin/python scripts/answer_shapes.py after.txt      # with the change
    diff before.txt after.txt                                 # nothing: every answer kept its form

The suite's own assertions check the values; this checks what dict equality cannot: the order
of the keys, and keys that appeared or vanished in answers no test reads whole. A few tests
draw lottery prizes at random: their lines may differ between any two runs (a prize has a tier
and a payout account, a miss has neither).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(out: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        stem = Path(folder) / "shapes"
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/functional", "-q", "-n", "2",
             "-p", "no:randomly"],
            cwd=ROOT, env={**os.environ, "ETAX_ANSWER_SHAPES": str(stem)}, check=False)
        lines = sorted(line for part in Path(folder).glob("shapes.*")
                       for line in part.read_text(encoding="utf-8").splitlines())
    Path(out).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} answers recorded in {out}")
    return run.returncode


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
