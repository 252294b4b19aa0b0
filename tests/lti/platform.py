"""A small LTI 1.3 platform (an LMS as the tool sees it), served over HTTP on loopback.

It signs real id_tokens with its own RSA key and serves what a platform serves: its key set, the
OAuth2 token endpoint (checking the tool's signed client assertion against the tool's own key set,
fetched over HTTP), an Assignment and Grade Services line item that records scores, and a Names and
Role Provisioning roster. Nothing in the tool or in pylti1p3 is mocked.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class SimulatedPlatform:
    def __init__(self, client_id: str = "descent-tool", deployment_id: str = "deployment-1"):
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.tool_jwks_url = ""  # set once the tool's address is known
        self.scores: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self.tokens_issued: set[str] = set()
        self.fail_next_scores = 0
        self.members: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return self.url

    def start(self) -> SimulatedPlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what the tool registers -----------------------------------------------------------
    def registration(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": f"{self.url}/auth",
            "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks",
            "deployment_ids": json.dumps([self.deployment_id]),
        }

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    # --- id_tokens -------------------------------------------------------------------------
    def id_token(
        self,
        *,
        nonce: str,
        subject: str,
        roles: list[str],
        context_id: str = "course-101",
        resource_link_id: str = "activity-1",
        custom: dict[str, str] | None = None,
        lineitem: str | None = None,
        deep_linking: bool = False,
        signing_key=None,
        expires_in: int = 300,
        audience: str | None = None,
        deployment_id: str | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience or self.client_id,
            "sub": subject,
            "iat": now,
            "exp": now + expires_in,
            "nonce": nonce,
            "given_name": extra.pop("given_name", "Ada"),
            "family_name": extra.pop("family_name", "Lovelace"),
            "email": extra.pop("email", f"{subject}@lms.example"),
            LTI + "version": "1.3.0",
            LTI + "deployment_id": deployment_id or self.deployment_id,
            LTI + "roles": roles,
            LTI + "context": {"id": context_id, "title": "Optimisation for Deep Learning", "label": "ODL"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/memberships/{context_id}",
                "service_versions": ["2.0"],
            },
        }
        if deep_linking:
            body[LTI + "message_type"] = "LtiDeepLinkingRequest"
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        else:
            body[LTI + "message_type"] = "LtiResourceLinkRequest"
            body[LTI + "target_link_uri"] = extra.pop("target_link_uri", "https://tool.example/lti/launch/")
            body[LTI + "resource_link"] = {"id": resource_link_id, "title": "Week 3 quiz"}
            body[LTI + "custom"] = custom or {}
            body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": [SCORE_SCOPE, LINEITEM_SCOPE],
                "lineitems": f"{self.url}/lineitems",
                "lineitem": lineitem or f"{self.url}/lineitems/{resource_link_id}",
            }
        body.update(extra)
        key = signing_key or self.key
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": self.kid})

    # --- the browser's side of a launch, as the LMS would drive it -------------------------------
    def launch(self, browser: requests.Session, tool_url: str, **claims: Any) -> requests.Response:
        """Third-party login, then the form post of a signed id_token; returns the tool's answer."""
        response, auth_params = self.begin_login(browser, tool_url)
        token = self.id_token(nonce=auth_params["nonce"], **claims)
        return browser.post(
            auth_params["redirect_uri"],
            data={"id_token": token, "state": auth_params["state"]},
            allow_redirects=False,
        )

    def begin_login(
        self, browser: requests.Session, tool_url: str
    ) -> tuple[requests.Response, dict[str, str]]:
        response = browser.get(
            f"{tool_url}/lti/login/",
            params={
                "iss": self.issuer,
                "client_id": self.client_id,
                "login_hint": "hint-" + secrets.token_hex(4),
                "target_link_uri": f"{tool_url}/lti/launch/",
                "lti_deployment_id": self.deployment_id,
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        location = urlparse(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{self.url}/auth"
        params = {name: values[0] for name, values in parse_qs(location.query).items()}
        return response, params

    # --- HTTP --------------------------------------------------------------------------------
    def _handler_class(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, status: int, payload: Any, content_type: str = "application/json") -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                return header.startswith("Bearer ") and header[7:] in platform.tokens_issued

            def do_GET(self):
                path = urlparse(self.path).path
                if path == "/jwks":
                    platform.jwks_fetches += 1
                    return self._json(200, {"keys": [platform.public_jwk()]})
                if path.startswith("/memberships/"):
                    if not self._authorised():
                        return self._json(401, {"error": "no valid token"})
                    return self._json(
                        200,
                        {"id": path, "context": {"id": path.rsplit("/", 1)[1]}, "members": platform.members},
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                path = urlparse(self.path).path
                body = self._body()
                if path == "/token":
                    return self._token(parse_qs(body.decode()))
                if path.startswith("/lineitems/") and path.endswith("/scores"):
                    if not self._authorised():
                        return self._json(401, {"error": "no valid token"})
                    if platform.fail_next_scores > 0:
                        platform.fail_next_scores -= 1
                        return self._json(503, {"error": "gradebook busy"})
                    score = json.loads(body)
                    score["_lineitem"] = path[: -len("/scores")]
                    score["_content_type"] = self.headers.get("Content-Type", "")
                    platform.scores.append(score)
                    return self._json(200, {})
                if path == "/deep-link-return":
                    token = parse_qs(body.decode())["JWT"][0]
                    platform.deep_link_responses.append(
                        platform.verify_tool_jwt(token, audience=platform.issuer)
                    )
                    return self._json(200, {"ok": True})
                return self._json(404, {"error": "not found"})

            def _token(self, form: dict[str, list[str]]) -> None:
                try:
                    assertion = form["client_assertion"][0]
                    assert form["grant_type"][0] == "client_credentials"
                    claims = platform.verify_tool_jwt(assertion, audience=f"{platform.url}/token")
                    assert claims["iss"] == claims["sub"] == platform.client_id
                except Exception as error:  # the tool's assertion did not verify: refuse like a platform
                    return self._json(400, {"error": "invalid_client", "detail": str(error)})
                token = uuid.uuid4().hex
                platform.tokens_issued.add(token)
                return self._json(
                    200,
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "scope": form["scope"][0],
                    },
                )

        return Handler

    def verify_tool_jwt(self, token: str, *, audience: str) -> dict[str, Any]:
        """Check a JWT the tool signed against the tool's key set, fetched from the tool over HTTP."""
        header = jwt.get_unverified_header(token)
        keys = requests.get(self.tool_jwks_url, timeout=5).json()["keys"]
        matching = [key for key in keys if key.get("kid") == header.get("kid")] or keys
        errors = []
        for key in matching:
            try:
                return jwt.decode(
                    token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"], audience=audience
                )
            except jwt.InvalidTokenError as error:
                errors.append(str(error))
        raise AssertionError(f"tool JWT did not verify: {errors}")


def auth_url_params(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}


def with_query(url: str, **params: str) -> str:
    return f"{url}?{urlencode(params)}"
