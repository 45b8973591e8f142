"""sfn-iam speed, as ratios measured in the same run (machines are shared and noisy: every
figure is the minimum or the median of repeated runs, never one timing).

    .venv/bin/python benchmarks/bench.py [--quick] [--corpus PATH] [--only a,b,c,d,e]

(a) corpus samples: parse + generate per definition, as a ratio to json.loads of the same text
    (goal <= 4x)
(b) scaling: synthetic definitions of 100, 1,000 and 10,000 states; time per state must stay
    flat (the ratio of the largest to the smallest)
(c) a 1 MB definition: generate as a ratio to json.loads (goal <= 3x), on two: one made of
    the corpus samples (real state machines, as Parallel branches), and a dense synthetic
    one (the worst case: three Tasks in four states, about 150 characters a state, three
    times the Tasks per megabyte of the corpus)
(d) the CLI on a small file, the whole process, as a ratio to `python -c "import json"` with
    the same interpreter (goal <= 1.5x)
(e) batch --jsonl: small definitions per second on one core (goal >= 2,000/s)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

from sfn_iam import generate_policy  # noqa: E402
from sfn_iam.errors import DefinitionError  # noqa: E402

ENV: dict[str, Any] = {"region": "us-east-1", "account": "123456789012"}
CLI_ENV = ["--region", "us-east-1", "--account", "123456789012"]


def best(fn: Callable[[], object], repeat: int, number: int = 1) -> float:
    """The minimum time of one call over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def calls_for(fn: Callable[[], object], target: float = 0.02) -> int:
    """How many calls take about ``target`` seconds (timer resolution, warm caches)."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target / once))


def verdict(value: float, goal: float, lower_is_better: bool = True) -> str:
    ok = value <= goal if lower_is_better else value >= goal
    return "meets the goal" if ok else "MISSES the goal"


# --- (a) -------------------------------------------------------------------------------------

def corpus_samples(corpus: Path) -> list[str]:
    """The text of every corpus sample that is strict JSON (json.loads is the yardstick)."""
    texts = []
    with (corpus / "MANIFEST.tsv").open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["kind"] != "sample":
                continue
            for path in sorted((corpus / row["id"]).glob("definition.asl.json*")):
                text = path.read_text(encoding="utf-8")
                try:
                    json.loads(text)
                except ValueError:
                    continue
                texts.append(text)
    return texts


def bench_a(corpus: Path, repeat: int) -> None:
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"(a) skipped: no corpus at {corpus}")
        return
    texts = corpus_samples(corpus)
    ratios, t_gen, t_json = [], 0.0, 0.0
    for text in texts:
        try:
            generate_policy(text, **ENV)  # warm: catalogue modules, regex caches
        except DefinitionError:  # a refused definition is not a speed sample
            continue
        parse = partial(json.loads, text)
        gen = partial(generate_policy, text, **ENV)
        j = best(parse, repeat, calls_for(parse, 0.005))
        g = best(gen, repeat, calls_for(gen, 0.005))
        ratios.append(g / j)
        t_gen += g
        t_json += j
    ratios.sort()
    med = statistics.median(ratios)
    print(f"(a) corpus samples, {len(ratios)} strict-JSON definitions: parse+generate / json.loads "
          f"median {med:.1f}x (p10 {ratios[len(ratios) // 10]:.1f}x, p90 "
          f"{ratios[9 * len(ratios) // 10]:.1f}x), total {t_gen / t_json:.1f}x "
          f"({t_gen / len(ratios) * 1e6:.0f} us vs {t_json / len(ratios) * 1e6:.1f} us per "
          f"definition); goal <= 4x: {verdict(med, 4)}")


# --- (b) -------------------------------------------------------------------------------------

def bench_b(repeat: int, sizes: tuple[int, ...] = (100, 1_000, 10_000)) -> None:
    runs: dict[int, tuple[str, Any, Callable[[], object], int, list[float]]] = {}
    for n in sizes:
        text = synth.text(n)
        result = generate_policy(text, **ENV)
        gen = partial(generate_policy, text, **ENV)
        runs[n] = (text, result, gen, calls_for(gen, 0.05), [])
    for _ in range(max(5, repeat)):  # interleaved: a load change hits every size alike
        for _, _, fn, number, times in runs.values():
            times.append(best(fn, 1, number))
    per_state = {}
    for n, (text, result, _, _, times) in runs.items():
        per_state[n] = min(times) / result.states
        print(f"(b) {result.states:>6,} states ({len(text) / 1e6:.2f} MB, {result.task_states:,} "
              f"Tasks): {min(times) * 1e3:8.1f} ms, {per_state[n] * 1e6:6.1f} us per state")
    ratio = per_state[sizes[-1]] / per_state[sizes[0]]
    print(f"(b) time per state, {sizes[-1]:,} vs {sizes[0]:,} states: {ratio:.2f}x "
          f"(flat is ~1x; goal <= 1.5x: {verdict(ratio, 1.5)})")


# --- (c) -------------------------------------------------------------------------------------

def corpus_megabyte(corpus: Path, size: int = 1_000_000) -> tuple[str, int]:
    """A definition of about ``size`` characters made of real state machines: every corpus
    sample the generator accepts becomes the one branch of a Parallel state at the top level
    (its QueryLanguage carried onto its states), cycling through the samples until the text
    is ``size`` long. Returns the text and how many samples went in. The corpus stays outside
    the repository: this is built when the benchmark runs."""
    samples = []
    for text in corpus_samples(corpus):
        try:
            generate_policy(text, **ENV)
        except DefinitionError:
            continue
        samples.append(json.loads(text))
    top: dict[str, Any] = {}
    length, used = 80, 0
    while length < size:
        sample = samples[used % len(samples)]
        ql = sample.get("QueryLanguage")
        branch = {"StartAt": sample["StartAt"],
                  "States": {name: ({**body, "QueryLanguage": ql} if ql else body)
                             for name, body in sample["States"].items()}}
        state = {"Type": "Parallel", "Branches": [branch], "End": True}
        top[f"Sample{used}"] = state
        length += len(json.dumps(state)) + len(f'"Sample{used}": , ')
        used += 1
    definition = {"Comment": f"{used} corpus samples as Parallel branches",
                  "StartAt": "Sample0", "States": top}
    return json.dumps(definition), used


def bench_c(repeat: int, corpus: Path) -> None:
    runs: list[tuple[str, str]] = []
    if (corpus / "MANIFEST.tsv").is_file():
        text, used = corpus_megabyte(corpus)
        runs.append((f"made of {used} corpus samples (real state machines: "
                     f"{{states:,}} states, {{tasks:,}} Tasks)", text))
    else:
        print("(c) no corpus: the definition made of real state machines is skipped")
    n = 6_500
    text = synth.text(n)
    while len(text) < 1_000_000:
        n += 200
        text = synth.text(n)
    runs.append(("synthetic, dense (the worst case: {states:,} states, {tasks:,} Tasks, "
                 "~150 characters a state)", text))
    for label, text in runs:
        result = generate_policy(text, **ENV)
        j = best(lambda text=text: json.loads(text), repeat * 2)
        g = best(lambda text=text: generate_policy(text, **ENV), repeat)
        shown = label.format(states=result.states, tasks=result.task_states)
        print(f"(c) a {len(text) / 1e6:.2f} MB definition, {shown}: generate {g * 1e3:.0f} ms, "
              f"json.loads {j * 1e3:.1f} ms: {g / j:.1f}x; goal <= 3x: {verdict(g / j, 3)}")


# --- (d) -------------------------------------------------------------------------------------

#: Subprocesses run as an installed tool runs: with compiled bytecode. (This workplace sets
#: PYTHONDONTWRITEBYTECODE=1, which makes every start compile every module: ~2x slower.)
#: The bytecode goes to a temporary folder, not into the source tree.
PYC = tempfile.mkdtemp(prefix="sfn-iam-bench-pyc-")
SUB_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SUB_ENV["PYTHONPYCACHEPREFIX"] = PYC


def _wall(cmd: list[str], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env=SUB_ENV)
        out.append(time.perf_counter() - start)
    return out


def bench_d(rounds: int) -> None:
    small = str(ROOT / "examples" / "lambda.asl.json")
    script = Path(sys.executable).with_name("sfn-iam")
    runs = {
        "python -c 'import json'": [sys.executable, "-c", "import json"],
        "sfn-iam generate (console script)": [str(script), "generate", small, *CLI_ENV],
        "python -m sfn_iam generate": [sys.executable, "-m", "sfn_iam", "generate", small, *CLI_ENV],
        "sfn-iam --help": [str(script), "--help"],
    }
    if not script.exists():
        del runs["sfn-iam generate (console script)"], runs["sfn-iam --help"]
    times: dict[str, list[float]] = {k: [] for k in runs}
    for cmd in runs.values():  # compile the bytecode once
        _wall(cmd, 1)
    for _ in range(rounds):  # interleaved, so that load changes hit every command alike
        for label, cmd in runs.items():
            times[label] += _wall(cmd, 1)
    base = min(times["python -c 'import json'"])
    for label, ts in times.items():
        print(f"(d) {label:<34} min {min(ts) * 1e3:6.1f} ms, median "
              f"{statistics.median(ts) * 1e3:6.1f} ms: {min(ts) / base:.2f}x")
    key = "sfn-iam generate (console script)" if script.exists() else "python -m sfn_iam generate"
    ratio = min(times[key]) / base
    print(f"(d) CLI on a small file / python -c 'import json': {ratio:.2f}x; goal <= 1.5x: "
          f"{verdict(ratio, 1.5)}")


# --- (e) -------------------------------------------------------------------------------------

def bench_e(count: int, rounds: int, corpus: Path) -> None:
    sets: dict[str, list[str]] = {
        "synthetic, 6-15 states, ~75% Tasks": [
            json.dumps(synth.definition(5 + i % 10, chunk=4)) for i in range(count)],
    }
    if (corpus / "MANIFEST.tsv").is_file():
        samples = corpus_samples(corpus)
        sets["corpus samples, cycled"] = [samples[i % len(samples)] for i in range(count)]
    pin: Callable[[], None] | None = None
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))

        def pin() -> None:
            os.sched_setaffinity(0, {cpu})

    for label, texts in sets.items():
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for i, text in enumerate(texts):
                f = Path(tmp) / f"d{i}.json"
                f.write_text(text)
                files.append(str(f))
            cmd = [sys.executable, "-m", "sfn_iam", "generate", "--jsonl", *files, *CLI_ENV]
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   check=False, preexec_fn=pin, env=SUB_ENV)
                times.append(time.perf_counter() - start)
                lines = p.stdout.count(b"\n")
                assert lines == count, (lines, p.returncode)
        rate = count / min(times)
        print(f"(e) --jsonl, {count:,} definitions ({label}) on one core, whole process: best "
              f"{min(times):.2f} s, median {statistics.median(times):.2f} s: {rate:,.0f} "
              f"definitions/s; goal >= 2,000/s: {verdict(rate, 2000, lower_is_better=False)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--only", default="a,b,c,d,e")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    only = set(args.only.split(","))
    import sfn_iam.walk

    build = ("compiled with mypyc" if sfn_iam.walk.__file__.endswith((".so", ".pyd"))
             else "pure Python (an editable install, or SFN_IAM_PURE=1)")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; min of {repeat} rounds; "
          f"sfn_iam {build}")
    if "a" in only:
        bench_a(args.corpus, repeat)
    if "b" in only:
        bench_b(repeat)
    if "c" in only:
        bench_c(repeat, args.corpus)
    if "d" in only:
        bench_d(10 if args.quick else 30)
    if "e" in only:
        bench_e(2_000, 3 if args.quick else 5, args.corpus)


if __name__ == "__main__":
    main()
