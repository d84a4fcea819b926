# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production PORTAL_VAR_DIR=/app/var

RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
      libmagic1 gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -c requirements/lock.txt -r requirements/base.in
COPY . .
# collectstatic needs settings but no real secrets; placeholders satisfy the production check.
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput \
 && python -m compileall -q -j 0 cadres supervision bulletins portal core \
 && useradd --system --home /app portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
# Workers, timeout, bind (PORT/BIND), access log and the warm-up: portal/gunicorn.py.
CMD ["gunicorn", "portal.wsgi:application", "-c", "python:portal.gunicorn"]
