"""The interchange commands: exit codes, one line per problem, files written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from landbridge.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_edi_import_list_and_exit_codes(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--database-url", database_url]
    assert runner.invoke(app, ["edi", "partners", "seed", *db]).exit_code == 0
    good = runner.invoke(
        app, ["edi", "import", str(FIXTURES / "edifact" / "codeco_d95b_rail.edi"), "--contrl-dir", str(tmp_path), *db]
    )
    assert good.exit_code == 0, good.output
    assert "accepted" in good.output
    assert [path.name for path in tmp_path.glob("CONTRL-*.edi")] == ["CONTRL-KTZ000451.edi"]
    bad = runner.invoke(
        app, ["edi", "import", str(FIXTURES / "edifact" / "malformed" / "coprar_bad_check_digit.edi"), *db]
    )
    assert bad.exit_code == 1
    assert "segment 12 EQD, element 2.1: container number 'CSQU3054384': check digit should be 3, got 4" in bad.output
    missing = runner.invoke(app, ["edi", "import", str(tmp_path / "nope.edi"), *db])
    assert missing.exit_code == 2 and "no such file" in missing.output
    # a file that is no interchange at all is refused and not logged (as the API does): a second one
    # used to be logged under the empty file's control reference and reported as a "duplicate"
    for name, body in (("empty.edi", ""), ("garbage.edi", "hello, not EDIFACT\n")):
        (tmp_path / name).write_text(body)
        garbage = runner.invoke(app, ["edi", "import", str(tmp_path / name), *db])
        assert garbage.exit_code == 2, garbage.output
        assert f"{name}: holds no EDIFACT interchange" in garbage.output
    listed = runner.invoke(app, ["edi", "list", *db])
    assert listed.exit_code == 0 and "KTZ000451" in listed.output
    assert "sha:" not in listed.output  # the refused files left nothing in the interchange log
    export = runner.invoke(app, ["edi", "export", "--type", "COARRI", "--visit", "NOPE", *db])
    assert export.exit_code == 1 and "visit" in export.output


def test_smgs_and_csv_commands(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--database-url", database_url]
    kept = runner.invoke(app, ["smgs", "import", str(FIXTURES / "smgs" / "smgs_lianyungang_almaty.json"), *db])
    assert kept.exit_code == 0, kept.output
    pdf = tmp_path / "note.pdf"
    written = runner.invoke(app, ["smgs", "export", "CN-LYG-2026-000451", "--format", "pdf", "--out", str(pdf), *db])
    assert written.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    broken = tmp_path / "broken.json"
    broken.write_text((FIXTURES / "smgs" / "smgs_lianyungang_almaty.json").read_text().replace('"84292000"', '"8429"'))
    refused = runner.invoke(app, ["smgs", "import", str(broken), *db])
    assert refused.exit_code == 1 and "goods.0.gng_code" in refused.output
    bad_csv = runner.invoke(
        app, ["csv", "import", "discharge", str(FIXTURES / "csv" / "discharge_list_bad.csv"), "--visit", "V1", *db]
    )
    assert bad_csv.exit_code == 1
    assert "line 2, column number" in bad_csv.output and "nothing applied" in bad_csv.output
    boxes = tmp_path / "boxes.csv"
    boxes.write_text("number,iso_type,load_state\nCSQU3054383,45G1,E\n")
    assert runner.invoke(app, ["csv", "import", "containers", str(boxes), *db]).exit_code == 0
    exported = runner.invoke(app, ["csv", "export", "containers", *db])
    assert "CSQU3054383,45G1,empty" in exported.output
