# Clausewatch container: installs the package, runs `clausewatch run` as a non-root user with the
# database in the /app/storage volume. Build from the repository root: docker build -t clausewatch .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CLAUSEWATCH_CONFIG=/app/feeds.yaml CLAUSEWATCH_WEB_HOST=0.0.0.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . && useradd --create-home --uid 10001 clausewatch \
    && mkdir -p /app/storage && chown clausewatch:clausewatch /app/storage
COPY feeds.yaml ./feeds.yaml

USER clausewatch
VOLUME ["/app/storage"]
# The read-only web view (`web:` in feeds.yaml), listening on all of the container's addresses.
EXPOSE 8088
# Unhealthy when the last poll cycle is older than three intervals or the database refuses writes.
HEALTHCHECK --interval=5m --timeout=60s --start-period=10m CMD ["clausewatch", "health"]
CMD ["clausewatch", "run"]
