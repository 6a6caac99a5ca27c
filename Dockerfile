# One image for every Node and Deno part of the system, used by compose.yaml. The Kafka client
# is built from source against Debian's libraries, as scripts/bootstrap.sh does natively.
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make python3 libssl-dev zlib1g-dev \
    libzstd-dev libsasl2-dev liblz4-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN CKJS_LINKING=dynamic npm ci --no-audit --no-fund
COPY . .
ENV PATH=/app/node_modules/.bin:$PATH
