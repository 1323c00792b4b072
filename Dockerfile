# Sanctions screening API. Bundled list snapshots ship inside the package (lists/data).
#   docker build -t sanctions-screening .
#   docker run -p 8000:8000 -v sanctions-data:/data sanctions-screening
# Create an API key inside the container (lists are loaded at build time):
#   docker exec <id> sanctions keys create --role screen
#
# Two stages: `build` has the compilers and headers and turns the project (with its
# Cython-compiled engine modules) and every dependency into wheels; the runtime stage
# installs those wheels on a clean image with no compiler, only the ICU runtime library.
# Both stages use the same base image, so the wheels fit the runtime's Python and ICU.

FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pyicu builds against libicu; setup.py compiles the engine's hot modules (Cython)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libicu-dev pkg-config gcc g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY lists ./lists
COPY screening ./screening
COPY service ./service
COPY benchmarks ./benchmarks
# hanja (Korean readings of Han characters) is optional and its metadata pins test tools:
# built without its dependencies, as `make install` does.
RUN pip wheel --wheel-dir /wheels . \
 && pip wheel --no-deps --wheel-dir /wheels "hanja==0.15.1"


FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SANCTIONS_DATA_DIR=/data

# The ICU runtime pyicu links against (the -dev package, and the compilers, stay in `build`)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libicu72 \
 && rm -rf /var/lib/apt/lists/*

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels sanctions-screening \
 && pip install --no-index --no-deps /wheels/hanja-*.whl

RUN useradd --system --uid 10001 --home-dir /data --create-home screening \
 && mkdir -p /data && chown screening /data && chmod 0700 /data
USER screening
WORKDIR /data
# Bake the bundled snapshots into the image's store so a new container serves at once;
# a mounted volume starts from this copy, and `sanctions lists load` updates it.
RUN sanctions lists load
VOLUME ["/data"]
EXPOSE 8000

# No curl in the image: the health check asks /readyz with Python's own HTTP client.
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3)"]

ENTRYPOINT ["sanctions", "serve", "--host", "0.0.0.0", "--port", "8000"]
