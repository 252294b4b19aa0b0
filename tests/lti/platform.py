"""A small LTI 1.3 platform (an LMS as the tool sees it), served over HTTP on loopback.

It signs real id_tokens with its own RSA key and serves what a platform serves: its key set, the
OAuth2 token endpoint (checking the tool's signed client assertion against the tool's own key set,
fetched over HTTP), an Assignment and Grade Services line item that records scores, and a Names and
Role Provisioning roster. Nothing in the tool or in pylti1p3 is mocked.

For a browser it also serves a course page that shows the tool in an iframe (`activity_page`) and
the OIDC authentication step (`/auth`), which answers the tool's login redirect with a page that
posts the signed id_token back to the tool, as an LMS does. With `tls` (an SSL server context) it
speaks HTTPS, under the host name `public_host`.
"""

from __future__ import annotations

import html
import json
import secrets
import ssl
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
    def __init__(
        self,
        client_id: str = "descent-tool",
        deployment_id: str = "deployment-1",
        *,
        tls: ssl.SSLContext | None = None,
        public_host: str = "127.0.0.1",
        ca_file: str | None = None,
    ):
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.tool_jwks_url = ""  # set once the tool's address is known
        self.scores: list[dict[str, Any]] = []
        self.jwks_fetches = 0
        self.tokens_issued: set[str] = set()
        self.fail_next_scores = 0
        self.score_delay = 0.0  # seconds the gradebook takes to answer a score: a slow LMS
        self.members: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        # login_hint -> (the tool's address, the claims of that launch), for course pages in a browser
        self.pending_logins: dict[str, tuple[str, dict[str, Any]]] = {}
        self.public_host = public_host
        self.ca_file = ca_file  # what verifies the tool's certificate, when the tool speaks HTTPS
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"{self.scheme}://{self.public_host}:{port}"

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

    # --- in a browser: the course page with the tool in a frame, and the OIDC step --------------------
    def activity_page(self, tool_url: str, **claims: Any) -> str:
        """The address of an LMS course page showing the tool in an iframe, launched with these claims."""
        hint = "hint-" + secrets.token_hex(8)
        self.pending_logins[hint] = (tool_url, claims)
        return f"{self.url}/course/{hint}"

    def _course_page(self, hint: str, tool_url: str) -> str:
        login = with_query(
            f"{tool_url}/lti/login/",
            iss=self.issuer,
            client_id=self.client_id,
            login_hint=hint,
            target_link_uri=f"{tool_url}/lti/launch/",
            lti_deployment_id=self.deployment_id,
        )
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Simulated LMS course</title>"
            "</head><body><h1>Optimisation for Deep Learning</h1>"
            f'<iframe id="tool" title="Descent" src="{html.escape(login)}" width="1100" height="800">'
            "</iframe></body></html>"
        )

    def _authentication_answer(self, params: dict[str, str]) -> tuple[int, str]:
        """The OIDC step: check the tool's request, then post a signed id_token to its redirect URI."""
        tool_url, claims = self.pending_logins.get(params.get("login_hint", ""), ("", None))
        if claims is None or params.get("client_id") != self.client_id:
            return 400, "unknown login"
        if not params.get("redirect_uri", "").startswith(f"{tool_url}/"):
            return 400, "the redirect URI is not the tool's"
        if params.get("response_mode") != "form_post" or params.get("scope") != "openid":
            return 400, "not an LTI authentication request"
        token = self.id_token(nonce=params["nonce"], **claims)
        page = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Launching</title></head>"
            f'<body><form method="post" action="{html.escape(params["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
            f'<input type="hidden" name="state" value="{html.escape(params["state"])}">'
            "<noscript><button>Continue</button></noscript></form>"
            "<script>document.forms[0].submit()</script></body></html>"
        )
        return 200, page

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

            def _html(self, status: int, page: str) -> None:
                data = page.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                return header.startswith("Bearer ") and header[7:] in platform.tokens_issued

            def do_GET(self):
                url = urlparse(self.path)
                path = url.path
                if path.startswith("/course/"):
                    hint = path.rsplit("/", 1)[1]
                    if hint not in platform.pending_logins:
                        return self._html(404, "no such course page")
                    return self._html(200, platform._course_page(hint, platform.pending_logins[hint][0]))
                if path == "/auth":
                    params = {name: values[0] for name, values in parse_qs(url.query).items()}
                    return self._html(*platform._authentication_answer(params))
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
                    time.sleep(platform.score_delay)
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
        keys = requests.get(self.tool_jwks_url, timeout=5, verify=self.ca_file or True).json()["keys"]
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
