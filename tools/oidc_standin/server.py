"""HTTP server of the stand-in OpenID provider (stdlib http.server, cryptography for the key, PyJWT to sign).

    GET  /.well-known/openid-configuration   discovery
    GET  /jwks                               the RS256 public key generated at start
    GET  /authorize                          auto-consents for the configured person, redirects with a code
    POST /token                              code (+ PKCE verifier, client secret) → access_token, id_token
    GET  /userinfo                           bearer access token → claims (sub, cccd, name, birthdate, ...)
    GET|POST /_control                       tests/demo only: {"user": {claims}, "mode": ...}

Modes (how the next ID tokens come out): "ok"; "bad_signature" (signed by another key under the same kid);
"wrong_audience"; "expired"; "malformed" (not a JWT).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

MODES = ("ok", "bad_signature", "wrong_audience", "expired", "malformed")
DEFAULT_USER = {"sub": "vneid-0001", "cccd": "019090001234", "name": "Nguyễn Văn An", "birthdate": "1990-05-12",
                "gender": "male", "email": "nguyenvanan@example.vn", "email_verified": True}


class State:
    def __init__(self, *, client_id: str, client_secret: str, user: dict | None = None):
        self.lock = threading.Lock()
        self.client_id, self.client_secret = client_id, client_secret
        self.user = dict(user or DEFAULT_USER)
        self.mode = "ok"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.issuer = ""

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {**claims, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                   "jti": secrets.token_hex(8)}
        if nonce:
            payload["nonce"] = nonce
        key = self.key
        if self.mode == "malformed":
            return "not-a-jwt." + base64.urlsafe_b64encode(b"{}").decode()
        if self.mode == "bad_signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif self.mode == "wrong_audience":
            payload["aud"] = "another-client"
        elif self.mode == "expired":
            payload["iat"], payload["exp"] = now - 3600, now - 1800
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        server_version = "OidcStandin/1.0"

        def log_message(self, format, *args):
            pass

        def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            base = state.issuer
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, {
                    "issuer": base, "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
                    "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                    "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "profile", "email"],
                    "claims_supported": ["sub", "cccd", "name", "birthdate", "gender", "email", "email_verified"]})
            if url.path == "/jwks":
                return self._json(200, state.jwks())
            if url.path == "/_control":
                with state.lock:
                    return self._json(200, {"mode": state.mode, "user": state.user})
            if url.path == "/authorize":
                if query.get("client_id") != state.client_id or not query.get("redirect_uri") \
                        or query.get("response_type") != "code":
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                with state.lock:
                    state.codes[code] = {"user": dict(state.user), "redirect_uri": query["redirect_uri"],
                                         "nonce": query.get("nonce"), "challenge": query.get("code_challenge")}
                params = {"code": code}
                if "state" in query:
                    params["state"] = query["state"]
                sep = "&" if "?" in query["redirect_uri"] else "?"
                self.send_response(302)
                self.send_header("Location", query["redirect_uri"] + sep + urlencode(params))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                with state.lock:
                    grant = state.tokens.get(token)
                if grant is None:
                    return self._json(401, {"error": "invalid_token"}, {"WWW-Authenticate": "Bearer"})
                return self._json(200, grant["user"])
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            url = urlparse(self.path)
            try:
                form = self._form()
            except ValueError:
                return self._json(400, {"error": "invalid_request"})
            if url.path == "/_control":
                with state.lock:
                    if form.get("mode") in MODES:
                        state.mode = form["mode"]
                    if isinstance(form.get("user"), dict):
                        state.user = dict(form["user"])
                    if form.get("reset"):
                        state.mode, state.user = "ok", dict(DEFAULT_USER)
                    return self._json(200, {"mode": state.mode, "user": state.user})
            if url.path != "/token":
                return self._json(404, {"error": "not_found"})
            client_id, secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            if client_id != state.client_id or secret != state.client_secret:
                return self._json(401, {"error": "invalid_client"})
            with state.lock:
                grant = state.codes.pop(form.get("code", ""), None)
            if form.get("grant_type") != "authorization_code" or grant is None \
                    or form.get("redirect_uri") != grant["redirect_uri"]:
                return self._json(400, {"error": "invalid_grant"})
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if digest != grant["challenge"]:
                    return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
            access = secrets.token_urlsafe(24)
            with state.lock:
                state.tokens[access] = grant
                id_token = state.id_token(grant["user"], grant["nonce"])
            return self._json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                    "id_token": id_token, "scope": "openid profile email"})

    return Handler


def serve(*, host: str, port: int, state: State) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    h, p = server.server_address[:2]
    state.issuer = f"http://{h}:{p}"
    return server
