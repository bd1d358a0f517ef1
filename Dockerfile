# graphcdp service image. docker-compose.yml points it at Neo4j; alone it runs on the embedded FalkorDB.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphcdp ./graphcdp
COPY cypher ./cypher
RUN pip install --no-cache-dir .

ENV GRAPHCDP_HOST=0.0.0.0 \
    GRAPHCDP_PORT=8000 \
    GRAPHCDP_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
CMD ["graphcdp", "serve"]
