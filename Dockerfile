# The portal's one image: web (gunicorn), Celery worker and beat differ only by command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
# XStatic-Bootstrap ships only an sdist whose build needs setuptools<81: the build constraint.
COPY pyproject.toml ./
COPY requirements/build-constraints.txt requirements/
RUN pip install --upgrade pip \
    && PIP_BUILD_CONSTRAINT=requirements/build-constraints.txt pip install .

COPY . .

# collectstatic only reads settings: these dummy values exist for this one command and are
# not kept in the image. The real ones come from the environment at run time.
RUN DJANGO_SETTINGS_MODULE=b2b_portal.settings.production \
    SECRET_KEY=build-time-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    ALLOWED_HOSTS=localhost \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

RUN useradd --system --create-home --uid 10001 portal
USER portal

ENV DJANGO_SETTINGS_MODULE=b2b_portal.settings.production
EXPOSE 8000
# Bind address, workers, logs and the removed Server header: gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "b2b_portal.wsgi:application"]
