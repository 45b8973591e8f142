"""Corpus check of the template reader (issue 11): for every corpus definition that has a
``substitutions.json``, read the template that deploys it (from a local clone of its
repository at the corpus commit) with ``sfn_iam.sources`` and compare the placeholders.

    python scripts/corpus_templates.py MIRRORS [CORPUS]

``MIRRORS`` holds bare or normal git clones as ``<owner>+<name>/repo`` (or ``<owner>+<name>``);
``CORPUS`` defaults to ``../shared/corpus``. Prints, per declaration: found / resolved /
agreeing placeholders, and the shares. A placeholder is *resolved* when the reader gives it a
value (a deploy-time name counts: it is a wildcard in the name part, with a warning); it
*agrees* when the corpus's own rendering of the declared value (the one tests/test_corpus.py
uses: pseudo parameters, literals, Fn::Sub of parameters) is defined and equal.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_corpus import ACCOUNT, REGION, _render  # noqa: E402

from sfn_iam.errors import DefinitionError  # noqa: E402
from sfn_iam.sources import load_state_machines, substitute_deep  # noqa: E402


def _concrete(value: object) -> bool:
    """A declared value whose rendering the corpus knows for sure: a literal, or made of
    pseudo parameters only (no resource or template parameter)."""
    text = json.dumps(value)
    if isinstance(value, str):
        return "${" not in value
    names = re.findall(r'"Ref": "([^"]+)"|\$\{([^}]+)\}|"Fn::GetAtt"', text)
    return bool(names) and all((a or b).startswith("AWS::") for a, b in names)


def _git_dir(mirrors: Path, repo: str) -> Path | None:
    for cand in (mirrors / repo.replace("/", "+") / "repo", mirrors / repo.replace("/", "+")):
        if cand.exists():
            return cand
    return None


def _extract(git_dir: Path, commit: str, folder: str, dest: Path) -> bool:
    """The files of ``folder`` at ``commit`` into ``dest``. A snapshot mirror may lack its
    largest files (videos, slides), at which a plain ``git archive`` of the folder stops:
    only the blobs present (and under 5 MB: no template or definition is that big) go."""
    git = ["git", "-C", str(git_dir)]
    listed = subprocess.run([*git, "ls-tree", "-r", "-l", "-z", commit, "--", folder or "."],
                            capture_output=True, check=False)
    if listed.returncode != 0 or not listed.stdout:
        return False
    entries = []
    for entry in listed.stdout.decode("utf-8", "replace").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 4 and fields[1] == "blob" and fields[3].isdigit() \
                and int(fields[3]) <= 5_000_000:
            entries.append((fields[2], path))
    check = subprocess.run([*git, "cat-file", "--batch-check"], capture_output=True, check=False,
                           input="".join(sha + "\n" for sha, _ in entries).encode())
    lines = check.stdout.decode().splitlines()
    present = [path for (_, path), line in zip(entries, lines, strict=True)
               if not line.endswith(" missing")]
    p = subprocess.run([*git, "archive", commit, "--", *present], capture_output=True,
                       check=False)
    if p.returncode != 0:
        return False
    subprocess.run(["tar", "-x", "-C", str(dest)], input=p.stdout, check=True)
    return True


def _project(template: str) -> str:
    """The folder to extract for ``template``: the template's folder and the one above it, so
    that ``DefinitionUri: ../statemachine/x.asl.json`` and ``${file(../base.yml)}`` are
    there (a template at the top of its repository: the whole repository)."""
    parts = template.split("/")[:-1]
    return "/".join(parts[:-1] if len(parts) > 1 else parts)


def _sources(row: dict[str, str], rows: list[dict[str, str]], template: str,
             mirrors: Path) -> tuple[Path, str] | None:
    """The clone and commit holding ``template``: the row's repository, else one of the
    repositories its ``duplicates`` column names (at the commit the corpus uses for it)."""
    repos = [row["source_repo"]] + [d.split(":", 1)[0] for d in row["duplicates"].split(",")
                                    if ":" in d]
    for repo in dict.fromkeys(repos):
        git_dir = _git_dir(mirrors, repo)
        if git_dir is None:
            continue
        commit = row["commit"] if repo == row["source_repo"] else next(
            (r["commit"] for r in rows if r["source_repo"] == repo), "HEAD")
        p = subprocess.run(["git", "-C", str(git_dir), "cat-file", "-e", f"{commit}:{template}"],
                           capture_output=True, check=False)
        if p.returncode == 0:
            return git_dir, commit
    return None


def main(mirrors: Path, corpus: Path) -> int:
    rows = list(csv.DictReader((corpus / "MANIFEST.tsv").open(newline=""), delimiter="\t"))
    totals = {"declarations": 0, "read": 0, "placeholders": 0, "resolved": 0, "comparable": 0,
              "agree": 0, "no_clone": 0, "placeholders_read": 0}
    for row in rows:
        subs_file = corpus / row["id"] / "substitutions.json"
        if not subs_file.is_file():
            continue
        for decl in json.loads(subs_file.read_text())["declarations"]:
            totals["declarations"] += 1
            values = decl.get("values") or {}
            totals["placeholders"] += len(values)
            template = decl["template"]
            if _git_dir(mirrors, row["source_repo"]) is None:
                totals["no_clone"] += 1
                continue
            found = _sources(row, rows, template, mirrors)
            if found is None:
                print(f"{row['id']}: {template}: not in the clone at the corpus commit")
                continue
            git_dir, commit = found
            with tempfile.TemporaryDirectory() as tmp:
                if not _extract(git_dir, commit, _project(template), Path(tmp)):
                    print(f"{row['id']}: cannot extract {template}")
                    continue
                try:
                    machines = load_state_machines(str(Path(tmp) / template), region=REGION,
                                                   account=ACCOUNT)
                except DefinitionError as exc:
                    print(f"{row['id']}: {template}: {exc.what}")
                    continue
                wanted = decl.get("state_machine")
                chosen = [m for m in machines if wanted in (m.name, *m.aliases)]
                if not chosen:
                    print(f"{row['id']}: {template}: no machine {decl.get('state_machine')}")
                    continue
                totals["read"] += 1
                totals["placeholders_read"] += len(values)
                machine = chosen[0]
                got = machine.substitutions
                text = json.dumps(substitute_deep(machine.definition, got))
                for name, value in values.items():
                    if "${" + name + "}" not in text:  # filled in (DefinitionSubstitutions
                        totals["resolved"] += 1        # or the DefinitionString's Fn::Sub)
                    else:
                        print(f"{row['id']}: ${{{name}}} left: {json.dumps(value)[:100]}")
                    if _concrete(value):
                        totals["comparable"] += 1
                        if got.get(name, _render(value)) == _render(value):
                            totals["agree"] += 1
                        else:
                            print(f"{row['id']}: {name}: reader {got.get(name)!r}, "
                                  f"corpus {_render(value)!r}")
    print(json.dumps(totals, indent=2))
    if totals["placeholders"]:
        read = totals["placeholders_read"] or 1
        print(f"templates read: {totals['read']}/{totals['declarations']} declarations; "
              f"placeholders resolved: {totals['resolved']}/{totals['placeholders_read']} of "
              f"those read ({100 * totals['resolved'] / read:.1f}%), "
              f"{totals['resolved']}/{totals['placeholders']} of all; agree where the corpus "
              f"rendering is concrete: {totals['agree']}/{totals['comparable']}")
    return 0


if __name__ == "__main__":
    corpus_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "corpus"
    raise SystemExit(main(Path(sys.argv[1]), corpus_dir))
