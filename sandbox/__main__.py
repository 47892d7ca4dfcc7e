"""Command line: ``python -m sandbox generate|serve|manifest``.

``generate --scale brands=50,days=365`` builds a scale world (sandbox/world/scale.py) and
writes its brand registry beside it (``brands.yaml``: give it to the sources as PULSE_BRANDS).

``serve`` generates the world first when the store is missing, so one command starts a demo.
It binds to loopback: serving another interface takes ``--allow-remote`` and prints a warning,
and even then the control routes (``/_sandbox/...``) answer loopback clients only
(``sandbox/control_guard.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

DEFAULT_WORLD = Path("data/sandbox/world.duckdb")


def _generate(out: Path, seed: int, start: date, days: int) -> None:
    from sandbox.world.generator import WorldSpec, generate

    print(f"generating world: seed={seed} start={start} days={days} -> {out}", flush=True)
    totals = generate(
        out,
        spec=WorldSpec(seed=seed, start=start, days=days),
        progress=lambda msg: print(msg, flush=True),
    )
    print(
        f"done in {totals['seconds']} s: {totals['brands']} brands, {totals['accounts']} "
        f"accounts, {totals['posts']} posts, {totals['comments']} comments",
        flush=True,
    )


def _generate_scale(out: Path, knobs: str) -> None:
    from sandbox.world.scale import build_scale_world, parse_scale

    scale = parse_scale("" if knobs == "default" else knobs)
    print(f"generating scale world: {scale} -> {out}", flush=True)
    totals = build_scale_world(out, scale, progress=lambda msg: print(msg, flush=True))
    print(
        f"done in {totals['seconds']} s: {totals['brands']} brands, {totals['posts']} Meta "
        f"posts, {totals['comments']} Meta comments; registry: {totals['registry']} "
        "(PULSE_BRANDS for the sources)",
        flush=True,
    )


def _check_host(parser: argparse.ArgumentParser, host: str, allow_remote: bool) -> None:
    """Loopback unless asked twice: a non-loopback ``--host`` needs ``--allow-remote`` too."""
    from sandbox.control_guard import is_loopback

    if is_loopback(host):
        return
    if not allow_remote:
        parser.error(
            f"--host {host} is not loopback: the sandbox would serve its fake APIs to the "
            "network; add --allow-remote if that is what you want"
        )
    print(
        f"WARNING: the sandbox serves its vendor APIs on {host}, reachable from other machines "
        "(their fake tokens are in sandbox/credentials.py); its control routes /_sandbox/... "
        "still answer loopback clients only",
        file=sys.stderr,
        flush=True,
    )


def _parser() -> argparse.ArgumentParser:
    """The three commands and their options."""
    from sandbox.world.generator import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_START

    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="build the world store")
    gen.add_argument("--out", type=Path, default=DEFAULT_WORLD)
    gen.add_argument(
        "--scale",
        metavar="KNOBS",
        default=None,
        help="build a scale world instead, e.g. brands=50,days=365,posts=1.15,comments=1.45,"
        "reviews=1,visits=7 ('default' for those); its brands.yaml is written beside --out",
    )
    srv = sub.add_parser("serve", help="serve the emulated APIs over a world store")
    srv.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    srv.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    srv.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback: anyone who reaches it reads the fake world",
    )
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="clock start (default: start + days - 1)",
    )
    srv.add_argument(
        "--faults", default=None, help="e.g. throttle=0.3,seed=7 (default: $SANDBOX_FAULTS)"
    )
    man = sub.add_parser("manifest", help="print the ground-truth manifest totals as JSON")
    man.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    man.add_argument("--today", type=date.fromisoformat, required=True)
    man.add_argument("--full", action="store_true", help="print every id and metric")
    for p in (gen, srv):
        p.add_argument("--seed", type=int, default=DEFAULT_SEED)
        p.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
        p.add_argument("--days", type=int, default=DEFAULT_DAYS)
    return parser


def _serve(args: argparse.Namespace) -> None:
    """Serve the world (generated first if missing) until interrupted."""
    import uvicorn

    from sandbox.server import build_app, uvicorn_config

    if not args.world.exists():
        _generate(args.world, args.seed, args.start, args.days)
    sandbox = build_app(args.world, today=args.today, faults=args.faults)
    print(
        f"sandbox serving {args.world} on http://{args.host}:{args.port} "
        f"(today {sandbox.clock.today}; Meta Graph API at /meta/v25.0/...; control at "
        f"/_sandbox/...)",
        flush=True,
    )
    uvicorn.Server(uvicorn_config(sandbox, args.host, args.port, log_level="info")).run()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        _check_host(parser, args.host, args.allow_remote)

    if args.command == "generate" and args.scale is not None:
        _generate_scale(args.out, args.scale)
    elif args.command == "generate":
        _generate(args.out, args.seed, args.start, args.days)
    elif args.command == "manifest":
        from sandbox.world.manifest import build_manifest

        manifest = build_manifest(args.world, args.today)
        print(json.dumps(manifest if args.full else manifest["totals"], indent=2))
    else:
        _serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
