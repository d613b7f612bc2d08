"""A small local OpenID Connect provider (stand-in for VNeID / a provincial SSO), for the demo and the tests.

Run: `python -m tools.oidc_standin --port 8092` from the repository root. See tools/README.md."""
