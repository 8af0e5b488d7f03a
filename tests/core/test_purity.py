"""core/ must stay pure Python: importing any of its modules must not pull in Django."""

import pkgutil
import subprocess
import sys

import shuangsuiji.core


def test_core_modules_do_not_import_django() -> None:
    names = [m.name for m in pkgutil.walk_packages(shuangsuiji.core.__path__, "shuangsuiji.core.")]
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "core imported django"
