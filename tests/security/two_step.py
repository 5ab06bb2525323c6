"""Signing a test client in as someone who has passed two-step sign-in."""

from django.apps import apps


def sign_in(client, user) -> None:
    """`force_login`, then mark the session verified by an authenticator, as django-otp does after
    a correct code, so that staff and partner users reach the page rather than the second step."""
    client.force_login(user)
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
