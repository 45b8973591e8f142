"""Build hook: compile the hot modules with mypyc, or build pure Python when that cannot be done.

The generator's inner loop (walk every state, read a Task's parameters, merge the grants) is
plain typed Python; mypyc (part of mypy, which already checks these modules strictly) compiles
it to a C extension, which takes about 40% off the time after parsing (README "Performance").
The same sources stay importable as Python: an editable install, ``SFN_IAM_PURE=1``, or a
machine without a C compiler get the pure package (the build log says why). Nothing is written
into the source tree (the compiled modules are built in a temporary folder and added to the
wheel from there), so a developer's checkout never imports a stale compiled copy of a module
being edited.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

_ROOT = Path(__file__).resolve().parent

#: The modules compiled: the ones every state or every Task goes through, the merge's
#: condition helpers, and the catalogue (every integration's resolvers, the AWS SDK resolver:
#: a third of real workflows' Tasks go through it, and the Distributed Map). Their types are
#: checked at run time by the compiled code, so they must be exact (tests run compiled in CI).
#: A new catalogue module is compiled without being listed here.
COMPILED = (
    "src/sfn_iam/walk.py",
    "src/sfn_iam/params.py",
    "src/sfn_iam/task.py",
    "src/sfn_iam/rules.py",
    "src/sfn_iam/generate.py",
    "src/sfn_iam/policy.py",
    "src/sfn_iam/conditions.py",
    "src/sfn_iam/distributed_map.py",
    "src/sfn_iam/catalogue/__init__.py",
    "src/sfn_iam/catalogue/sdk/__init__.py",
    *sorted(p.relative_to(_ROOT).as_posix() for p in (_ROOT / "src/sfn_iam/catalogue").glob("*.py")
            if p.name != "__init__.py"),
)

_BUILD = """
import sys
from setuptools import Distribution
from mypyc.build import mypycify

paths, out, temp = sys.argv[1:-2], sys.argv[-2], sys.argv[-1]
# mypy's cache goes to the temporary folder too: nothing is written into the source tree
extensions = mypycify(["--cache-dir", temp + "/mypy-cache", *paths], opt_level="3",
                      target_dir=temp)
dist = Distribution({"name": "sfn-iam-compiled", "ext_modules": extensions})
cmd = dist.get_command_obj("build_ext")
cmd.build_lib, cmd.build_temp = out, temp
dist.run_command("build_ext")
"""


class CompileHook(BuildHookInterface):  # type: ignore[misc]  # hatchling is untyped here
    PLUGIN_NAME = "sfn-iam-compile"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._temp: str | None = None
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get("SFN_IAM_PURE", "") not in ("", "0"):
            self.app.display_info("sfn-iam: SFN_IAM_PURE is set: building pure Python")
            return
        self._temp = tempfile.mkdtemp(prefix="sfn-iam-mypyc-")
        out, temp = os.path.join(self._temp, "out"), os.path.join(self._temp, "temp")
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _BUILD, *COMPILED, out, temp],
                cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                timeout=900,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            self._fall_back(str(exc))
            return
        built = sorted(Path(out).rglob("*.so")) + sorted(Path(out).rglob("*.pyd"))
        if proc.returncode or not built:
            lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
            self._fall_back(lines[-1][-300:] if lines else f"exit code {proc.returncode}")
            return
        for path in built:
            build_data["force_include"][str(path)] = path.relative_to(out).as_posix()
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self.app.display_info(f"sfn-iam: compiled {len(COMPILED)} modules with mypyc")

    def _fall_back(self, why: str) -> None:
        self.app.display_warning(
            f"sfn-iam: could not compile with mypyc ({why}); building pure Python (same "
            "behaviour, slower)")
        self._clean()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        self._clean()

    def _clean(self) -> None:
        if getattr(self, "_temp", None):
            shutil.rmtree(self._temp, ignore_errors=True)  # type: ignore[arg-type]
            self._temp = None
