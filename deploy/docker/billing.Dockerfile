# syntax=docker/dockerfile:1
# Billing's image. One image, three processes (docs/operations.md):
#   web (default):  gunicorn -c services/billing/gunicorn.conf.py       port 8000, /healthz /readyz /metrics
#   worker:         python -m services.billing.worker                   metrics on port 9100
#   migrate step:   python -m services.billing.manage migrate           once per release, before the others
# Build from the repository root: docker build -f deploy/docker/billing.Dockerfile -t dpd/billing:$VERSION .
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-compile -r /tmp/requirements.txt

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 dpd \
 && useradd --system --uid 10001 --gid dpd --home-dir /app --no-create-home --shell /usr/sbin/nologin dpd
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY shared/ shared/
COPY ops/ ops/
COPY services/__init__.py services/__init__.py
COPY services/billing/ services/billing/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BILLING_BIND=0.0.0.0:8000 \
    BILLING_WORKER_METRICS_BIND=0.0.0.0:9100
USER 10001:10001
EXPOSE 8000 9100
CMD ["gunicorn", "-c", "services/billing/gunicorn.conf.py"]
