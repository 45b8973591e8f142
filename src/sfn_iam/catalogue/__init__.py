"""The integration catalogue: one module per service, named by the service segment of the
Task Resource (``arn:aws:states:::<service>:<api>``), loaded only when a Task uses it.

The registry is the file name: ``emr-containers`` -> ``sfn_iam.catalogue.emr_containers``,
``lambda`` -> ``sfn_iam.catalogue.lambda_``. Nothing is scanned or imported up front.
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import re
from functools import cache
from types import ModuleType

_SERVICE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


def module_name(service: str) -> str:
    name = service.replace("-", "_")
    return f"{name}_" if keyword.iskeyword(name) else name


@cache
def service_module(service: str) -> ModuleType | None:
    """The catalogue module of ``service``, or None when there is none."""
    if not _SERVICE.match(service):
        return None
    dotted = f"{__name__}.{module_name(service)}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def known_services() -> list[str]:
    """Every service the catalogue covers (for docs and tests; reads the package folder)."""
    from importlib.resources import files

    names = []
    for entry in files(__name__).iterdir():
        stem = entry.name.removesuffix(".py")
        if entry.name.endswith(".py") and not stem.startswith("_"):
            names.append(stem.rstrip("_").replace("_", "-"))
    return sorted(names)
