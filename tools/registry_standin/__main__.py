"""python -m tools.registry_standin [--host 127.0.0.1] [--port 8091] [--token T] [--mode ok|slow|fail|flaky]
[--delay S] [--failures N] [--people N] [--dump]

Prints "LISTENING http://HOST:PORT" once ready (with --port 0 the system picks a free port)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .population import residents
from .server import State, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.registry_standin",
                                     description="Stand-in national population database (demo and tests).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("REGISTRY_STANDIN_PORT", 8091)))
    parser.add_argument("--token", default=os.environ.get("REGISTRY_STANDIN_TOKEN", "standin-token"))
    parser.add_argument("--mode", default=os.environ.get("REGISTRY_STANDIN_MODE", "ok"),
                        choices=["ok", "slow", "fail", "flaky"])
    parser.add_argument("--delay", type=float, default=float(os.environ.get("REGISTRY_STANDIN_DELAY", 5)))
    parser.add_argument("--failures", type=int, default=0)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--dump", action="store_true", help="print the people as JSON lines and exit")
    args = parser.parse_args(argv)
    if args.dump:
        for person in residents(args.people):
            print(json.dumps(person.as_dict(), ensure_ascii=False))
        return 0
    state = State(token=args.token, mode=args.mode, delay=args.delay, failures=args.failures, count=args.people)
    server = serve(host=args.host, port=args.port, state=state)
    host, port = server.server_address[:2]
    print(f"LISTENING http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
