r"""The ``meanfield`` command.

Subcommands
-----------
``meanfield solve dmft``
    Stationary dynamic mean-field theory of a random rate network
    (:func:`meanfield.dmft.solve`) and its largest Lyapunov exponent
    (:func:`meanfield.dmft.lyapunov`); prints a summary, or JSON with ``--json``.
``meanfield solve fixed-point``
    Static mean-field fixed point and its stability (:func:`meanfield.dmft.fixed_point`).
``meanfield validate``
    The theory-vs-simulation suite (``validation.run.main``), which writes a report.

Exit codes: 0 on success, 1 when the library rejects the input
(:class:`~meanfield.errors.ParameterError`) or a solver does not converge
(:class:`~meanfield.errors.ConvergenceError`), 2 for a malformed command line.
Errors are printed on stderr as one line, without a traceback.

Examples
--------
.. code-block:: console

    $ meanfield solve dmft --g 1.5 --phi tanh
    $ meanfield solve dmft --g 2 --noise 0.3 --json --with-curve
    $ meanfield validate --quick --out report/
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

_PROG = "meanfield"


def _version() -> str:
    from . import __version__
    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``meanfield`` command."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Dynamic mean-field theory of random rate networks, checked against a "
                    "finite-size simulator.",
        epilog="Subcommands:\n"
               "  solve     solve the mean-field theory ('solve dmft': stationary DMFT and its\n"
               "            Lyapunov exponent; 'solve fixed-point': static fixed point)\n"
               "  validate  run the theory-vs-simulation validation suite and write a report\n\n"
               "Run 'meanfield <command> --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="{solve,validate}")
    sub.required = True

    # -- solve -------------------------------------------------------------------------
    solve = sub.add_parser(
        "solve", help="solve the mean-field theory of a random network",
        description="Solve the mean-field theory of the random network "
                    "dx/dt = -x + J phi(x) + I + sigma xi(t), J_ij ~ N(J0/N, g^2/N).")
    targets = solve.add_subparsers(dest="target", metavar="{dmft,fixed-point}")
    targets.required = True

    dmft = targets.add_parser(
        "dmft", help="stationary dynamic mean-field theory (meanfield.dmft.solve)",
        description="Stationary DMFT: prints delta0, delta_inf, mu, the correlation time, the "
                    "largest Lyapunov exponent, the state and whether the solver converged.")
    _add_network_args(dmft)
    dmft.add_argument("--noise", type=float, default=0.0, metavar="SIGMA",
                      help="white-noise intensity sigma >= 0 (default 0)")
    dmft.add_argument("--dt", type=float, default=None,
                      help="theory of the Euler map with this step in (0, 1] "
                           "(default: continuous time)")
    dmft.add_argument("--method", default="auto", choices=("auto", "potential", "spectral"),
                      help="solver (default auto)")
    dmft.add_argument("--rtol", type=float, default=1e-10,
                      help="relative tolerance (default 1e-10)")
    dmft.add_argument("--max-iter", type=int, default=500,
                      help="iterations of the spectral method (default 500)")
    dmft.add_argument("--no-lyapunov", action="store_true",
                      help="skip the Lyapunov exponent")
    _add_output_args(dmft)
    dmft.add_argument("--with-curve", action="store_true",
                      help="with --json, also output the lag grid 'tau' and 'delta_tau'")
    dmft.set_defaults(handler=_cmd_solve_dmft)

    fp = targets.add_parser(
        "fixed-point", help="static mean-field fixed point and its stability "
                            "(meanfield.dmft.fixed_point)",
        description="Static mean-field fixed point: delta0, mu, bulk radius of the Jacobian "
                    "spectrum, outlier, largest real part, stability.")
    _add_network_args(fp)
    _add_output_args(fp)
    fp.set_defaults(handler=_cmd_solve_fixed_point)

    # -- validate ----------------------------------------------------------------------
    # the suite parses its own options (main() hands it the rest of the command line), so
    # `meanfield validate` and `python -m validation` take the same ones: --quick, --out,
    # --cases, --jobs, --list, --seed-shift, --no-progress
    val = sub.add_parser(
        "validate", help="run the theory-vs-simulation validation suite (from a checkout)",
        add_help=False,
        description="Run the validation suite (the same as 'python -m validation', with the same "
                    "options; 'meanfield validate --help' lists them).")
    val.set_defaults(handler=_cmd_validate)
    return parser


def _add_network_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--g", type=float, required=True, help="gain g > 0 (coupling variance g^2/N)")
    p.add_argument("--phi", default="tanh",
                   help="transfer function: tanh, erf, relu, sigmoid or linear (default tanh)")
    p.add_argument("--J0", type=float, default=0.0, help="mean coupling J0 (default 0)")
    p.add_argument("--I0", type=float, default=0.0, help="mean input I0 (default 0)")
    p.add_argument("--input-std", type=float, default=0.0, metavar="STD",
                   help="standard deviation of the constant input across units (default 0)")


def _add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print a JSON object instead of a summary")


# --- commands ---------------------------------------------------------------------------

def _num(v):
    """A JSON-ready float (None for missing)."""
    return None if v is None else float(v)


def _cmd_solve_dmft(args) -> int:
    from .dmft import lyapunov, solve

    sol = solve(args.g, args.phi, noise=args.noise, J0=args.J0, I0=args.I0,
                input_std=args.input_std, dt=args.dt, method=args.method, rtol=args.rtol,
                max_iter=args.max_iter)
    lam = None if args.no_lyapunov else lyapunov(sol)
    out = {
        "phi": sol.phi, "g": _num(sol.g), "noise": _num(sol.noise), "J0": _num(sol.J0),
        "I0": _num(sol.I0), "input_std": _num(sol.input_std), "dt": _num(sol.dt),
        "delta0": _num(sol.delta0), "delta_inf": _num(sol.delta_inf), "mu": _num(sol.mu),
        "correlation_time": _num(sol.correlation_time), "decay_rate": _num(sol.decay_rate),
        "lyapunov_exponent": _num(lam), "state": sol.state, "method": sol.method,
        "success": bool(sol.success), "status": int(sol.status), "message": sol.message,
        "nit": int(sol.nit), "residual": _num(sol.residual),
    }
    if args.json:
        if args.with_curve:
            out["tau"] = [float(t) for t in sol.tau]
            out["delta_tau"] = [float(d) for d in sol.delta_tau]
        _print_json(out)
    else:
        if args.with_curve:
            print("note: --with-curve applies to --json output only", file=sys.stderr)
        _print_summary("Stationary DMFT", out, [
            ("phi", "transfer function phi"), ("g", "gain g"), ("noise", "noise sigma"),
            ("J0", "mean coupling J0"), ("I0", "mean input I0"),
            ("input_std", "input std sigma_I"), ("dt", "time step dt"),
            ("delta0", "Delta(0)"), ("delta_inf", "Delta(inf)"), ("mu", "mean mu"),
            ("correlation_time", "correlation time"), ("decay_rate", "decay rate kappa"),
            ("lyapunov_exponent", "Lyapunov exponent lambda_max"), ("state", "state"),
            ("method", "method"), ("success", "success"), ("message", "message"),
            ("nit", "iterations"), ("residual", "residual")])
    return 0


def _cmd_solve_fixed_point(args) -> int:
    from .dmft import fixed_point

    fp = fixed_point(args.g, args.phi, J0=args.J0, I0=args.I0, input_std=args.input_std)
    outlier = fp.outlier
    if isinstance(outlier, complex):
        outlier = [outlier.real, outlier.imag]
    out = {
        "phi": fp.phi, "g": _num(fp.g), "J0": _num(fp.J0), "I0": _num(fp.I0),
        "input_std": _num(fp.input_std), "delta0": _num(fp.delta0), "mu": _num(fp.mu),
        "bulk_radius": _num(fp.bulk_radius),
        "outlier": outlier if isinstance(outlier, list) else _num(outlier),
        "max_real_eigenvalue": _num(fp.max_real_eigenvalue), "stable": bool(fp.stable),
        "success": bool(fp.success), "message": fp.message, "residual": _num(fp.residual),
    }
    if args.json:
        _print_json(out)
    else:
        _print_summary("Static fixed point", out, [
            ("phi", "transfer function phi"), ("g", "gain g"), ("J0", "mean coupling J0"),
            ("I0", "mean input I0"), ("input_std", "input std sigma_I"),
            ("delta0", "Delta0"), ("mu", "mean mu"), ("bulk_radius", "bulk radius"),
            ("outlier", "outlier"), ("max_real_eigenvalue", "max Re(eigenvalue)"),
            ("stable", "stable"), ("success", "success"), ("message", "message")])
    return 0


def _validation_suite():
    """The repository's validation suite (``validation/``, importable from a checkout's root)."""
    try:
        from validation import run as _run
    except ImportError as exc:
        raise _CommandError(f"the validation suite is not available ({exc}); run it from the root "
                            "of a source checkout of meanfield (its cases and measured budgets "
                            "live in the repository's validation/ folder)") from None
    return _run


def _cmd_validate(args, argv=()) -> int:
    code = _validation_suite().main(list(argv), prog=f"{_PROG} validate")
    return 0 if code is None else int(code)


# --- output -----------------------------------------------------------------------------

def _print_json(obj) -> None:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return repr(v)      # JSON has no NaN/inf: spell them as strings
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v
    print(json.dumps({k: clean(v) for k, v in obj.items()}, indent=2))


def _print_summary(title, values, rows) -> None:
    width = max(len(label) for _, label in rows)
    print(title)
    for key, label in rows:
        v = values[key]
        if v is None:
            txt = "none" if key != "dt" else "continuous time"
        elif isinstance(v, bool):
            txt = str(v)
        elif isinstance(v, float):
            txt = f"{v:.10g}"
        else:
            txt = str(v)
        print(f"  {label:<{width}}  {txt}")


class _CommandError(Exception):
    """A failure of the command itself (not of the library), reported with exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``meanfield`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from .errors import ConvergenceError, MeanFieldError, ParameterError

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["validate"]:
        try:
            return _cmd_validate(None, argv[1:])
        except _CommandError as exc:
            print(f"{_PROG}: error: {exc}", file=sys.stderr)
            return 1
        except SystemExit as exc:    # the suite's --help or a malformed option (code 2)
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:       # --help, --version, or a malformed command line (code 2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return args.handler(args)
    except ParameterError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
    except ConvergenceError as exc:
        print(f"{_PROG}: error: the solver did not converge: {exc}", file=sys.stderr)
    except (MeanFieldError, _CommandError) as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
