"""Two-step sign-in: enrol an authenticator app, verify a session, recovery codes.

An authenticator app holds a TOTP secret (RFC 6238: a six-digit code that changes every 30
seconds); its django-otp `TOTPDevice` is the user's one "authenticator". Ten single-use recovery
codes (a `StaticDevice`) stand in for the app when it is lost. Who must use a second factor, and
whether a session still has to pass the step, is `accounts.policies`'s to say.

Wrong codes are throttled per device by django-otp (each failure doubles the wait before the
next try is even checked: 1, 2, 4, ... seconds), so guessing six digits is hopeless.
"""

import re
from base64 import b32encode
from binascii import Error as BinasciiError
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from helpdesk.errors import InvalidInput, NotAllowed

from . import policies
from .models import User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# Accept the code of the step before or after the current one: phones' clocks drift.
TOTP_TOLERANCE = 1

_TOTP_CODE = re.compile(r"\d{6}")
_KEY_BYTES = 20


def _invalid_code() -> InvalidInput:
    # One message for every wrong code: it does not say which kind of code was expected.
    return InvalidInput(
        _("That code is not valid. Check it and try again."),
        code="invalid_code",
        fields={"code": "invalid"},
    )


def _throttled() -> InvalidInput:
    return InvalidInput(
        _("Too many wrong codes. Wait a minute, then try again."),
        code="too_many_attempts",
        fields={"code": "throttled"},
    )


def normalise_code(code: str) -> str:
    """Codes as people type them: spaces and dashes do not count, nor does letter case."""
    return re.sub(r"[\s-]", "", code or "").lower()


# --- Reads. ---


def authenticator_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_secret() -> str:
    """A fresh TOTP secret, hex-encoded as django-otp stores it (20 random bytes)."""
    return random_hex(_KEY_BYTES)


def _key_bytes(secret_hex: str) -> bytes:
    try:
        key = unhexlify(secret_hex or "")
    except (BinasciiError, ValueError):
        key = b""
    if len(key) != _KEY_BYTES:
        raise InvalidInput(_("Start the set-up again."), code="invalid_secret")
    return key


def secret_base32(secret_hex: str) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    text = b32encode(_key_bytes(secret_hex)).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def setup_uri(user: User, secret_hex: str) -> str:
    """The otpauth:// address that the QR code carries (issuer and account name included)."""
    _key_bytes(secret_hex)
    return TOTPDevice(user=user, key=secret_hex).config_url


def qr_code_svg(data: str) -> str:
    """`data` as a QR code in inline SVG, drawn on the server: no image request, no script."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")


# --- Writes. ---


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones; return them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def authenticator_enrol(*, actor: User, secret_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app holding `secret_hex` with its current `code` and make it the actor's
    authenticator (replacing any previous one), with ten new recovery codes.

    Returns the device and the plain recovery codes, which the caller shows once. Raises
    InvalidInput `invalid_code` for a code the secret does not give now, `invalid_secret` for a
    malformed secret.
    """
    key = _key_bytes(secret_hex)
    code = normalise_code(code)
    totp = TOTP(key, step=30, t0=0, digits=6)
    if not _TOTP_CODE.fullmatch(code) or not totp.verify(int(code), tolerance=TOTP_TOLERANCE):
        raise _invalid_code()
    TOTPDevice.objects.filter(user=actor).delete()
    device = TOTPDevice.objects.create(
        user=actor,
        name=AUTHENTICATOR_NAME,
        key=secret_hex,
        confirmed=True,
        # The code just used cannot be used again to sign in.
        last_t=totp.t(),
        drift=totp.drift,
    )
    return device, _new_recovery_codes(actor)


@transaction.atomic
def recovery_codes_regenerate(*, actor: User) -> list[str]:
    """Ten new recovery codes for an actor who has an authenticator; the old ones stop working.

    Raises NotAllowed `no_authenticator` when the actor has none.
    """
    if authenticator_for(actor) is None:
        raise NotAllowed(_("Set up an authenticator app first."), code="no_authenticator")
    return _new_recovery_codes(actor)


@transaction.atomic
def second_factor_turn_off(*, actor: User) -> None:
    """Remove the actor's authenticator and recovery codes.

    Raises NotAllowed `second_factor_required` for users who must use a second factor.
    """
    if not policies.can_turn_off_second_factor(actor):
        raise NotAllowed(
            _("Your account must use two-step sign-in."), code="second_factor_required"
        )
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()


def second_factor_check(*, actor: User, code: str) -> Device:
    """The device that accepts `code` for `actor`: six digits are an authenticator code, anything
    else a recovery code (which is used up). Returns the device to mark the session with.

    Raises InvalidInput `invalid_code` for a wrong code (or no device) and `too_many_attempts`
    while the device's throttling makes the caller wait. A failure is recorded on the device
    (and so slows the next try) before the error is raised: the recording is committed, not
    rolled back with the error.
    """
    code = normalise_code(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    verified = None
    throttled = False
    with transaction.atomic():
        device = (
            model.objects.select_for_update()
            .filter(user=actor, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is not None:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                throttled = True
            elif device.verify_token(code):
                verified = device
    if throttled:
        raise _throttled()
    if verified is None:
        raise _invalid_code()
    return verified
