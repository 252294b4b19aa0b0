"""pylti1p3 glue: the tool configuration, launch storage and HTTP session Descent uses."""

from __future__ import annotations

import requests
from django.conf import settings
from pylti1p3.contrib.django import (
    DjangoCacheDataStorage,
    DjangoDbToolConf,
    DjangoMessageLaunch,
    DjangoOIDCLogin,
)
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.registration import Registration

USER_AGENT = "Descent LTI tool"


def tool_conf() -> DjangoDbToolConf:
    return DjangoDbToolConf()


def launch_storage() -> DjangoCacheDataStorage:
    return DjangoCacheDataStorage(cache_name="default")


class _SessionWithTimeout(requests.Session):
    """Outgoing calls to platforms (JWKS, tokens, scores, rosters) time out instead of hanging a worker."""

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


def http_session() -> requests.Session:
    session = _SessionWithTimeout()
    session.headers["User-Agent"] = USER_AGENT
    return session


def oidc_login(request) -> DjangoOIDCLogin:
    return DjangoOIDCLogin(request, tool_conf(), launch_data_storage=launch_storage())


def message_launch(request) -> DjangoMessageLaunch:
    launch = DjangoMessageLaunch(
        request, tool_conf(), launch_data_storage=launch_storage(), requests_session=http_session()
    )
    launch.set_public_key_caching(launch_storage(), cache_lifetime=settings.LTI_JWKS_CACHE_SECONDS)
    return launch


def restored_launch(request, launch_id: str) -> MessageLaunch:
    return DjangoMessageLaunch.from_cache(
        launch_id, request, tool_conf(), launch_data_storage=launch_storage(), requests_session=http_session()
    )


def registration_for(tool: LtiTool) -> Registration:
    return tool_conf().find_registration_by_params(tool.issuer, tool.client_id)
