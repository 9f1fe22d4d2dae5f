# newsdesk: one image that serves the API (the default command) and runs the indexing job
# (`python -m search build ...`). README.md, "Docker", has the commands.

# --- build: the pinned requirements in a venv (the spaCy model is one of them) ---------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-compile -r /tmp/requirements.txt \
    && /opt/venv/bin/pip uninstall --yes pip \
    && /opt/venv/bin/python -m compileall -q -j 0 /opt/venv/lib

# --- runtime: the venv and the code, nothing else ---------------------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSDESK_INDEX_DIR=/index \
    NEWSDESK_SAMPLE_DIR=/app/seeds \
    NEWSDESK_HOST=0.0.0.0 \
    PORT=8000
# A fixed non-root uid, so operators can chown host folders to it. /index is created
# owned by it: a fresh named volume mounted there starts with that owner.
RUN useradd --system --uid 10001 --gid 0 --home-dir /app --no-create-home newsdesk \
    && install -d -o newsdesk -g 0 -m 0775 /index
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gunicorn.conf.py ./
COPY search/ search/
COPY api/ api/
COPY seeds/ seeds/
RUN python -m compileall -q search api
USER 10001
VOLUME ["/index"]
EXPOSE 8000
# Healthy = /ready: the API answers with an index open. The first start may build the
# samples first (seconds), hence the start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-m", "api.healthcheck"]
CMD ["python", "-m", "api"]
