# The console's image: the same processes as the Procfile (scripts/serve.sh
# release|web|worker), run as an unprivileged user. compose.yaml builds it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

WORKDIR /app
# Requirements first: the dependency layer is rebuilt only when they change.
COPY requirements.txt ./
RUN python -m pip install -r requirements.txt

COPY . .
# Static files are collected into the image (hashed, compressed); the release
# step collects again, which changes nothing unless the code did. The values
# below only let the production settings load (random, since they refuse placeholders);
# nothing runs with them and they are not kept in the image.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" ALLOWED_HOSTS=build \
    TWILIO_ACCOUNT_SID="AC$(python -c 'import secrets; print(secrets.token_hex(16))')" \
    TWILIO_AUTH_TOKEN="$(python -c 'import secrets; print(secrets.token_hex(16))')" PUBLIC_BASE_URL=https://build.invalid \
    python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ops \
 && chown -R ops /app/staticfiles

USER ops
EXPOSE 8000
# Load balancers and orchestrators: GET /health/ (200 ready, 503 with the failing checks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/health/', timeout=4)"
CMD ["scripts/serve.sh", "web"]
