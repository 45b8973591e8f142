"""Print the least-privilege policy of sfn-iam's live-account reader (``sfn_iam.live``):
the IAM action of every call it makes (``live.CALLS``) on the resources that call is
authorised on, merged as every policy sfn-iam writes.

    python scripts/reader_policy.py [--partition aws] [--account 123456789012] [--region R]

The README's "Live accounts" block is this script's output with the defaults (a test checks
it)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sfn_iam.live import reader_policy  # noqa: E402


def main(argv: list[str] | None = None) -> str:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--partition", default="aws")
    p.add_argument("--region", default="*")
    p.add_argument("--account", default="*")
    args = p.parse_args(argv)
    return json.dumps(reader_policy(args.partition, args.region, args.account), indent=2)


if __name__ == "__main__":
    print(main())
