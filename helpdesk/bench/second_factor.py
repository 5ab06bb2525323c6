"""The bench's support staff pass the second sign-in step as real ones do: with a confirmed
authenticator on their account whose key the bench reads back to compute codes (bench data only).
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def authenticator(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True)
    return device


def current_code(user: User) -> str:
    device = authenticator(user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}"


def verify_session(client: Client, user: User) -> None:
    """Record on a force-logged-in test client's session what the verification page records."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
