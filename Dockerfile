# Mirrors the Makefile: install the project, build the demo warehouse, serve it.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY semantic_layer ./semantic_layer
COPY prompts ./prompts
COPY web ./web
RUN pip install --no-cache-dir . \
    && chatbi demo-data --out /app/data/demo.duckdb
ENV CHATBI_DB_PATH=/app/data/demo.duckdb \
    CHATBI_STATE_PATH=/app/data/chatbi.sqlite \
    CHATBI_PROMPTS_DIR=/app/prompts \
    CHATBI_WEB_DIR=/app/web
EXPOSE 8000
CMD ["chatbi", "serve", "--host", "0.0.0.0", "--port", "8000"]
