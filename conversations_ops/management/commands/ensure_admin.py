"""Makes sure a first admin account exists and tells how to log in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = ".admin-password"


class Command(BaseCommand):
    help = "Create the 'admin' superuser on first run (random password kept in .admin-password) and print the login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        password_file = settings.BASE_DIR / PASSWORD_FILE
        user_model = get_user_model()
        if not user_model.objects.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(username=username, email="", password=password)
            # Kept beside the SQLite file, git-ignored, readable by its owner only.
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            self.stdout.write(self.style.SUCCESS(f"Created superuser '{username}'."))
        url = f"http://127.0.0.1:{settings.PORT}/admin/"
        if password_file.is_file():
            password = password_file.read_text().strip()
            self.stdout.write(f"Log in at {url} as '{username}' with password '{password}' (also in {PASSWORD_FILE}).")
        else:
            self.stdout.write(
                f"Log in at {url} as '{username}'. Forgot the password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
