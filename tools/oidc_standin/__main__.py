"""python -m tools.oidc_standin [--host 127.0.0.1] [--port 8092] [--client-id tinhso] [--client-secret S]
[--user-json '{"sub": ..., "cccd": ..., "name": ..., "birthdate": "YYYY-MM-DD", "gender": "male"}']

Prints "LISTENING http://HOST:PORT" once ready (--port 0: a free port). The issuer is that URL."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .server import State, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.oidc_standin",
                                     description="Stand-in OpenID Connect provider (demo and tests).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("OIDC_STANDIN_PORT", 8092)))
    parser.add_argument("--client-id", default=os.environ.get("OIDC_STANDIN_CLIENT_ID", "tinhso"))
    parser.add_argument("--client-secret", default=os.environ.get("OIDC_STANDIN_CLIENT_SECRET", "standin-secret"))
    parser.add_argument("--user-json", default="", help="claims of the person who is signed in")
    args = parser.parse_args(argv)
    state = State(client_id=args.client_id, client_secret=args.client_secret,
                  user=json.loads(args.user_json) if args.user_json else None)
    server = serve(host=args.host, port=args.port, state=state)
    print(f"LISTENING {state.issuer}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
