"""Authenticator apps (TOTP, RFC 6238, through django-otp) as a second factor for signing.

A member enrols on their account page: a new, unconfirmed device is shown as a QR code (an SVG drawn
on the server, nothing loaded from elsewhere) and becomes theirs once they type a code from it. Signing a
review of a committee that requires it then needs the current code with the password.
"""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .models import AccessEvent

DEVICE_NAME = "Authenticator app"


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled (made on first call), not usable for signing until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no scripts, no external resources)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="Scan with your authenticator app")


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32 groups, for apps without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm(user, code: str) -> bool:
    """Confirm the pending device with a code from it; it replaces any earlier device. False if wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not _verify_device(device, code):
        return False
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True)
    if replaced.exists():
        replaced.delete()
        access.record(kind=AccessEvent.Kind.AUTHENTICATOR_REMOVED, user=user, detail="replaced by a new app")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    access.record(kind=AccessEvent.Kind.AUTHENTICATOR_ENROLLED, user=user)
    return True


def verify(user, code: str) -> bool:
    """True when `code` is the current code of the user's confirmed device. Each code works once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    return device is not None and _verify_device(device, code)


def _verify_device(device: TOTPDevice, code: str) -> bool:
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != device.digits:
        return False
    return device.verify_token(code)
