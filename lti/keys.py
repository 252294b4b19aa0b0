"""The tool's own RSA signing keys (for deep-linking responses and service tokens)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiToolKey


def new_key_pair() -> tuple[str, str]:
    """A fresh 2048-bit RSA key pair as (private PEM, public PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def create_tool_key(name: str) -> LtiToolKey:
    private_pem, public_pem = new_key_pair()
    return LtiToolKey.objects.create(name=name, private_key=private_pem, public_key=public_pem)


def rotate(*, old: LtiToolKey, name: str) -> LtiToolKey:
    """Move every registration from `old` to a new key. Both stay in the key set until `old` is deleted,
    so tokens signed a moment ago still verify at the platforms."""
    new = create_tool_key(name)
    old.lti_tools.update(tool_key=new)
    return new
