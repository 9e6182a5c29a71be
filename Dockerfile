# creatify-mock in a container: `docker build -t creatify-mock .` then
# `docker run -p 127.0.0.1:8000:8000 -e CREATIFY_MOCK_ADMIN_TOKEN=change-me creatify-mock`.
# Not built by this project's tests (no image registry or container engine there): hadolint checks it in `make lint`.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md CHANGELOG.md ./
COPY mockserver ./mockserver
COPY contract_tests ./contract_tests
COPY schemas ./schemas
COPY fixtures ./fixtures
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CREATIFY_MOCK_HOST=0.0.0.0 \
    CREATIFY_MOCK_PORT=8000 \
    CREATIFY_MOCK_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mock
USER 10001
EXPOSE 8000
# /__admin/health needs no admin token; the port follows CREATIFY_MOCK_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__admin/health' % os.environ.get('CREATIFY_MOCK_PORT', '8000'), timeout=2)"]
ENTRYPOINT ["creatify-mock", "serve"]
