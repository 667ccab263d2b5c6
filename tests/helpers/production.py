"""The production settings' environment, and a command run in a fresh process with it."""

import os
import subprocess
import sys

from config.env import BASE_DIR

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k7#Qz!r2Lm9@Xv4$Tb8^Wn3&Jc6*Hp1(Ys5)Ud0-Ge7=Fa2+Io9",
    "ALLOWED_HOSTS": "ops.example.com",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "primary-token",
    "PUBLIC_BASE_URL": "https://ops.example.com",
}


def run(args, module, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DJANGO_", "PUBLIC_", "PORT"))}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60)
