"""Create a personal API token for a user and print it: `manage.py create_api_token EMAIL`.

Stdout holds the token alone, so scripts can capture it (`TOKEN=$(manage.py create_api_token ...)`);
the confirmation goes to stderr.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.tokens import api_token_create
from helpdesk.errors import InvalidInput

DEFAULT_NAME = "Command line"


class Command(BaseCommand):
    help = "Create a personal API token for the user with this email and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address the user signs in with.")
        parser.add_argument(
            "--name",
            default=DEFAULT_NAME,
            help=f'What the token is for (default "{DEFAULT_NAME}").',
        )

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email}.")
        if not user.is_active:
            raise CommandError(f"The user {user.email} is inactive; a token would not work.")
        try:
            token, plain = api_token_create(actor=user, name=name)
        except InvalidInput as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            f"Created the token {token.name!r} for {user.email}. It is shown only once.",
            style_func=self.style.SUCCESS,
        )
        self.stdout.write(plain)
