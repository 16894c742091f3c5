"""A web or worker process never loads nlp's training or evaluation code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_app_and_the_analyzer_import_no_tool_package() -> None:
    script = (
        "import json, sys\n"
        "import kefu.main, kefu.wiring, kefu.nlp.analyzer, kefu.nlp.service\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith(('kefu.nlp.training', 'kefu.nlp.evaluation')))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
