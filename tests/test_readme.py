"""The README's promises: its examples run, and CI runs its test command."""
import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bash_blocks(text):
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_examples_run():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_ci_runs_the_readme_test_command():
    blocks = [b.strip() for b in _bash_blocks((ROOT / "README.md").read_text())]
    test_cmd = next(b for b in blocks if "pytest" in b and "venv" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines(), f"{test_cmd!r} is not a line of .ci/run"


def test_readme_main_job_command_is_the_report():
    blocks = [b.strip() for b in _bash_blocks((ROOT / "README.md").read_text())]
    main = next(b for b in blocks if "symti report" in b)
    assert main.startswith("python3 -m venv .venv && .venv/bin/pip install")
