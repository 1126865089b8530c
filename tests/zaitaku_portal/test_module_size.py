"""No production module over 600 lines (issue 13): a module that long holds more than one job.
Migrations are generated, tests and benchmarks are not production; everything else counts."""

from pathlib import Path

MAX_LINES = 600
ROOT = Path(__file__).resolve().parents[2]
APPS = ("zaitaku_portal", "hubs", "hospitals", "subsidies", "reports")


def production_modules(root: Path = ROOT):
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield path


def too_long(root: Path = ROOT) -> dict[str, int]:
    lengths = {
        path.relative_to(root).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in production_modules(root)
    }
    return {name: lines for name, lines in lengths.items() if lines > MAX_LINES}


def test_no_production_module_is_over_600_lines():
    assert too_long() == {}, "split these modules into named parts"


def test_the_count_sees_a_long_module_and_skips_migrations(tmp_path):
    """The rule can fail: 601 lines is too long, 600 is not, and a migration never counts."""
    (tmp_path / "subsidies" / "migrations").mkdir(parents=True)
    (tmp_path / "reports").mkdir()
    (tmp_path / "subsidies" / "long.py").write_text("x = 1\n" * 601, encoding="utf-8")
    (tmp_path / "reports" / "just.py").write_text("x = 1\n" * 600, encoding="utf-8")
    (tmp_path / "subsidies" / "migrations" / "0001_initial.py").write_text(
        "x = 1\n" * 5000, encoding="utf-8"
    )
    assert too_long(tmp_path) == {"subsidies/long.py": 601}
