"""The ``meanfield`` command: help, ``solve dmft``/``solve fixed-point`` output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import meanfield as mf
from meanfield.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_explains_both_subcommands(capsys):
    code, out, err = _run(capsys, "--help")
    assert code == 0
    assert "solve" in out and "validate" in out
    assert "validation suite" in out and "mean-field theory" in out


@pytest.mark.parametrize("argv", [["solve", "--help"], ["solve", "dmft", "--help"],
                                  ["solve", "fixed-point", "--help"], ["validate", "--help"]])
def test_subcommand_help(capsys, argv):
    code, out, _ = _run(capsys, *argv)
    assert code == 0
    assert out.startswith("usage: meanfield")


def test_version(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert mf.__version__ in out


def test_solve_dmft_summary_matches_library(capsys):
    code, out, err = _run(capsys, "solve", "dmft", "--g", "1.5", "--phi", "tanh")
    assert code == 0, err
    sol = mf.dmft.solve(1.5, "tanh")
    lam = mf.dmft.lyapunov(sol)
    for label in ("Delta(0)", "Delta(inf)", "mean mu", "correlation time",
                  "Lyapunov exponent", "state", "success"):
        assert label in out
    assert f"{sol.delta0:.10g}" in out
    assert f"{sol.correlation_time:.10g}" in out
    assert f"{lam:.10g}" in out
    assert "chaotic" in out and "True" in out


def test_solve_dmft_json(capsys):
    code, out, err = _run(capsys, "solve", "dmft", "--g", "2", "--phi", "tanh", "--noise",
                          "0.3", "--json")
    assert code == 0, err
    data = json.loads(out)
    sol = mf.dmft.solve(2.0, "tanh", noise=0.3)
    assert data["delta0"] == sol.delta0
    assert data["delta_inf"] == sol.delta_inf
    assert data["mu"] == sol.mu
    assert data["correlation_time"] == sol.correlation_time
    assert data["lyapunov_exponent"] == mf.dmft.lyapunov(sol)
    assert data["state"] == sol.state and data["success"] is True
    assert data["noise"] == 0.3 and data["dt"] is None
    assert "tau" not in data and "delta_tau" not in data
    # floats and plain values only, no arrays
    assert all(not isinstance(v, (list, dict)) for v in data.values())


def test_solve_dmft_json_with_curve(capsys):
    code, out, err = _run(capsys, "solve", "dmft", "--g", "1.5", "--json", "--with-curve")
    assert code == 0, err
    data = json.loads(out)
    sol = mf.dmft.solve(1.5)
    assert data["tau"] == sol.tau.tolist()
    assert data["delta_tau"] == sol.delta_tau.tolist()


def test_solve_dmft_all_parameters_are_passed(capsys):
    argv = ["solve", "dmft", "--g", "0.8", "--phi", "erf", "--J0", "-0.5", "--I0", "0",
            "--input-std", "0", "--noise", "0.5", "--dt", "0.5", "--json", "--no-lyapunov"]
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    data = json.loads(out)
    sol = mf.dmft.solve(0.8, "erf", J0=-0.5, noise=0.5, dt=0.5)
    assert data["delta0"] == sol.delta0 and data["dt"] == 0.5 and data["J0"] == -0.5
    assert data["phi"] == "erf" and data["lyapunov_exponent"] is None


def test_solve_fixed_point(capsys):
    code, out, err = _run(capsys, "solve", "fixed-point", "--g", "0.5", "--json")
    assert code == 0, err
    data = json.loads(out)
    fp = mf.dmft.fixed_point(0.5)
    assert data["delta0"] == fp.delta0 == 0.0
    assert data["bulk_radius"] == fp.bulk_radius
    assert data["stable"] is True


@pytest.mark.parametrize("argv, name", [
    (["--g", "-1"], "`g`"),
    (["--g", "0"], "`g`"),
    (["--g", "nan"], "`g`"),
    (["--g", "inf"], "`g`"),
    (["--g", "1.5", "--phi", "softsign"], "`phi`"),
    (["--g", "1.5", "--noise", "-0.1"], "`noise`"),
    (["--g", "1.5", "--dt", "2"], "`dt`"),
    (["--g", "1.5", "--dt", "0"], "`dt`"),
    (["--g", "1.5", "--rtol", "0.5"], "`rtol`"),
    (["--g", "1.5", "--max-iter", "0"], "`max_iter`"),
    (["--g", "2", "--phi", "relu"], "relu"),
])
def test_solve_dmft_parameter_error_exit_1(capsys, argv, name):
    code, out, err = _run(capsys, "solve", "dmft", *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("meanfield: error:")
    assert name in err
    assert "Traceback" not in err


def test_convergence_error_exit_1(capsys, monkeypatch):
    # a genuine failure of the spectral solver costs tens of seconds; the command only has
    # to turn the library's ConvergenceError into a one-line message and exit code 1
    def failing_solve(*args, **kwargs):
        raise mf.ConvergenceError("DMFT solver failed: residual 1e-3 above rtol", None)

    monkeypatch.setattr(mf.dmft, "solve", failing_solve)
    code, out, err = _run(capsys, "solve", "dmft", "--g", "1.5")
    assert code == 1 and out == ""
    assert "did not converge" in err and "residual" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    [],
    ["solve"],
    ["solve", "dmft"],                          # --g is required
    ["solve", "dmft", "--g", "x"],              # not a number
    ["solve", "dmft", "--g", "1.5", "--method", "newton"],
    ["solve", "static", "--g", "1"],
    ["simulate"],
    ["solve", "dmft", "--g", "1.5", "--bogus"],
])
def test_bad_command_line_exit_2(capsys, argv):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert "usage: meanfield" in err and "error:" in err
    assert "Traceback" not in err


def test_validate_passes_arguments(monkeypatch, capsys, tmp_path):
    pytest.importorskip("validation.run", reason="validation.run is not written yet")
    import validation.run

    seen = {}

    def fake_main(argv=None, prog=None):
        seen["argv"], seen["prog"] = argv, prog
        return 3

    monkeypatch.setattr(validation.run, "main", fake_main)
    code, _, _ = _run(capsys, "validate", "--quick", "--out", str(tmp_path), "--no-progress",
                      "--cases", "tanh_g2", "--jobs", "2", "--seed-shift", "1")
    assert code == 3 and seen["prog"] == "meanfield validate"
    assert seen["argv"] == ["--quick", "--out", str(tmp_path), "--no-progress", "--cases",
                            "tanh_g2", "--jobs", "2", "--seed-shift", "1"]
    code, _, _ = _run(capsys, "validate")
    assert seen["argv"] == []


def test_validate_has_the_suite_options(capsys):
    code, out, _ = _run(capsys, "validate", "--help")
    assert code == 0
    for opt in ("--quick", "--cases", "--jobs", "--list", "--seed-shift", "--out"):
        assert opt in out
    code, out, _ = _run(capsys, "validate", "--list")
    assert code == 0 and "tanh_g2" in out


def test_validate_missing_suite_is_a_clean_error(monkeypatch, capsys):
    # simulate an installation without the validation package
    monkeypatch.setitem(sys.modules, "validation", None)
    monkeypatch.setitem(sys.modules, "validation.run", None)
    code, out, err = _run(capsys, "validate", "--quick")
    assert code == 1
    assert "validation suite is not available" in err and "Traceback" not in err


def test_python_dash_m_help():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "meanfield", "--help"], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "solve" in proc.stdout and "validate" in proc.stdout


def test_python_dash_m_bad_input_no_traceback():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "meanfield", "solve", "dmft", "--g", "-2"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1
    assert "`g`" in proc.stderr and "Traceback" not in proc.stderr
