"""The designer's loop for one added field on the clinic: save -> generate -> migrate -> publish.

Each round adds one more optional field to the appointment record (and its form), then runs the
same functions the designer's buttons run (``design.ui.specfiles.import_files`` for the save,
``design.ui.steps.generate / migrate / publish`` for the jobs), in this process, on copies of
meta_specs/clinic and generated/ and a temporary SQLite database. Prints each round's figures and
the median of the rounds.

Run: .venv/bin/python bench/designer_loop.py [--rounds 5] [--database-url sqlite:///...]
Target: the median of the whole loop under 5 s on SQLite.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S = 5.0
ANCHOR = "      - {label: 客户已到店, name: arrived, type: boolean, default: false}\n"
FORM_END = "      - source_note\n      - remark\n\n  - label: 预约确认表"


def cpu() -> float:
    """CPU seconds of this process and its finished subprocesses (makemigrations, ruff)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def spec_files(rounds: int) -> dict[str, str]:
    """The clinic's files with ``rounds`` added optional fields on the appointment and its form."""
    folder = ROOT / "meta_specs" / "clinic"
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}
    names = [f"bench_note_{i}" for i in range(1, rounds + 1)]
    fields = "".join(
        f"      - {{label: 测试备注{i}, name: {n}, type: char, max_length: 40}}\n"
        for i, n in enumerate(names, 1)
    )
    text = files["entities.yaml"].replace(ANCHOR, ANCHOR + fields, 1)
    listed = "".join(f"      - {n}\n" for n in names)
    files["entities.yaml"] = text.replace(
        FORM_END, FORM_END.replace("      - remark\n", "      - remark\n" + listed), 1
    )
    return files


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="erpsys-designer-bench-"))
    shutil.copytree(ROOT / "meta_specs" / "clinic", scratch / "meta_specs" / "clinic")
    shutil.copytree(
        ROOT / "generated", scratch / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="erpsys.settings",
        ERPSYS_META_SPECS_DIR=str(scratch / "meta_specs"),
        ERPSYS_GENERATED_DIR=str(scratch / "generated"),
        DATABASE_URL=args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}",
        CELERY_TASK_ALWAYS_EAGER="true",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    from design.ui import specfiles, steps

    call_command("migrate", interactive=False, verbosity=0)
    specfiles.load_folder("clinic")
    steps.publish("clinic", user=None, log=lambda line: None)
    print(f"designer loop, clinic, {os.environ['DATABASE_URL'].split(':', 1)[0]}, in {scratch}")
    print(
        f"{'round':>5} {'save':>7} {'generate':>9} {'migrate':>8} {'publish':>8} {'total':>7}"
        f" {'cpu':>7}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    totals, cpus, phases = [], [], {"save": [], "generate": [], "migrate": [], "publish": []}
    for round_ in range(1, args.rounds + 1):
        lines: list[str] = []
        timings = {}
        start, cpu_start = time.perf_counter(), cpu()
        specfiles.import_files(spec_files(round_))
        timings["save"] = time.perf_counter() - start
        mark = time.perf_counter()
        result = steps.generate("clinic", allow_destructive=False, log=lines.append)
        timings["generate"] = time.perf_counter() - mark
        assert result.migrations, lines
        mark = time.perf_counter()
        applied = steps.migrate("clinic", log=lines.append)
        timings["migrate"] = time.perf_counter() - mark
        assert applied, lines
        mark = time.perf_counter()
        revision = steps.publish("clinic", user=None, log=lines.append)
        timings["publish"] = time.perf_counter() - mark
        assert revision.number == round_ + 1, lines
        total = time.perf_counter() - start
        totals.append(total)
        cpus.append(cpu() - cpu_start)
        for key, value in timings.items():
            phases[key].append(value)
        print(
            f"{round_:>5} {timings['save']:>6.2f}s {timings['generate']:>8.2f}s "
            f"{timings['migrate']:>7.2f}s {timings['publish']:>7.2f}s {total:>6.2f}s"
            f" {cpus[-1]:>6.2f}s"
        )
    median = statistics.median(totals)
    print(
        "median "
        + " ".join(f"{k} {statistics.median(v):.2f}s" for k, v in phases.items())
        + f" total {median:.2f}s, cpu {statistics.median(cpus):.2f}s"
        + f" (target < {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'};"
        + f" load average now {os.getloadavg()[0]:.1f})"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
