# Sanctions screening API. Bundled list snapshots ship inside the package (lists/data).
#   docker build -t sanctions-screening .
#   docker run -p 8000:8000 -v sanctions-data:/data sanctions-screening
# Create an API key inside the container (lists are loaded at build time):
#   docker exec <id> sanctions keys create --role screen
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SANCTIONS_DATA_DIR=/data

# pyicu builds against libicu and setup.py compiles the engine's hot modules (Cython);
# compilers only for the build, removed afterwards
RUN apt-get update \
 && apt-get install -y --no-install-recommends libicu-dev pkg-config gcc g++ curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY lists ./lists
COPY screening ./screening
COPY service ./service
COPY benchmarks ./benchmarks
RUN pip install . \
 && pip install --no-deps "hanja==0.15.1" \
 && apt-get purge -y gcc g++ pkg-config && apt-get autoremove -y

RUN useradd --system --uid 10001 --home-dir /data --create-home screening \
 && mkdir -p /data && chown screening /data
USER screening
# Bake the bundled snapshots into the image's store so a new container serves at once;
# a mounted volume starts from this copy, and `sanctions lists load` updates it.
RUN sanctions lists load
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/readyz || exit 1

ENTRYPOINT ["sanctions", "serve", "--host", "0.0.0.0", "--port", "8000"]
