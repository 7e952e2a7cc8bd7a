"""A fake OpenID Connect provider for tests and deploy/smoke.sh: never for production.

It serves a discovery document, a JWKS with one RS256 key (made at start with `cryptography`), an
authorization endpoint that approves at once (the user is chosen by the `login_hint` parameter, or
the test sets `provider.next_user`), and a token endpoint that checks the client secret, the code,
the redirect URI and the PKCE verifier before it hands out an ID token.

Tests can spoil the next ID token on purpose (`provider.spoil = {...}`): claims to override
("aud", "iss", "exp", "nonce", ...) and "sign_with_other_key" for a bad signature.

Run as a script:  python deploy/fake_oidc.py --port 8090 --client-id kiv --client-secret s3cret \
                    --users users.json   (a file of users as deploy/smoke.sh writes one)
"""

import argparse
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeProvider:
    def __init__(
        self, *, client_id: str, client_secret: str, host: str = "127.0.0.1", port: int = 0, users: dict | None = None
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = _new_key()
        self.kid = "fake-" + secrets.token_hex(4)
        self.users = dict(users or {})
        self.next_user: dict | None = None
        self.spoil: dict = {}
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return self.base_url + "/tenant/v2.0"

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def start(self) -> "FakeProvider":
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-oidc", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the endpoints return ---------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.base_url + "/authorize",
            "token_endpoint": self.base_url + "/token",
            "jwks_uri": self.base_url + "/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, params: dict) -> str:
        """Approve at once: return the redirect back to the client with a fresh code."""
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            raise ValueError("unknown client or response type")
        hint = params.get("login_hint", "")
        user = self.users.get(hint) if hint else self.next_user
        if user is None:
            raise ValueError(f"no user for login_hint {hint!r}")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"params": params, "user": dict(user), "issued": time.time()}
        query = urllib.parse.urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}?{query}"

    def token(self, form: dict) -> tuple[int, dict]:
        with self.lock:
            self.token_requests.append(form)
            grant = self.codes.pop(form.get("code", ""), None)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {"error": "invalid_client"}
        if grant is None or time.time() - grant["issued"] > 300:
            return 400, {"error": "invalid_grant"}
        params = grant["params"]
        if form.get("redirect_uri") != params.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if params.get("code_challenge") and challenge != params["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        return 200, {
            "token_type": "Bearer",
            "id_token": self.id_token(grant["user"], params.get("nonce")),
            "access_token": secrets.token_urlsafe(16),
            "expires_in": 3600,
        }

    def id_token(self, user: dict, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "nonce": nonce,
            "ver": "2.0",
            **user,
        }
        spoil = dict(self.spoil)
        other_key = spoil.pop("sign_with_other_key", False)
        claims.update(spoil)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = _new_key() if other_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    # --- HTTP ---------------------------------------------------------------------------------------

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet: tests and the smoke script read their own output
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                if url.path == urllib.parse.urlsplit(provider.discovery_url).path:
                    return self._json(200, provider.discovery())
                if url.path == "/keys":
                    return self._json(200, provider.jwks())
                if url.path == "/authorize":
                    try:
                        location = provider.authorize(params)
                    except ValueError as exc:
                        return self._json(400, {"error": "invalid_request", "error_description": str(exc)})
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                if urllib.parse.urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, body = provider.token(form)
                return self._json(status, body)

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--users", help="JSON file: {login_hint: {claims}}")
    args = parser.parse_args()
    users = {}
    if args.users:
        with open(args.users, encoding="utf-8") as handle:
            users = json.load(handle)
    provider = FakeProvider(
        client_id=args.client_id, client_secret=args.client_secret, host=args.host, port=args.port, users=users
    )
    print(json.dumps({"issuer": provider.issuer, "discovery": provider.discovery_url}), flush=True)
    try:
        provider.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        provider.server.server_close()


if __name__ == "__main__":
    main()
