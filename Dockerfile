# syntax=docker/dockerfile:1
# The one Moneta image: `moneta serve --role api|worker`, `moneta migrate`,
# `moneta jobs run <name>`. Build: docker build -t moneta:0.1.0 .

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# The caches keep the registry and target dir between builds (BuildKit);
# the binary is copied out of the cached target dir in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin moneta \
 && install -D -m 0755 target/release/moneta /out/moneta

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 moneta \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /var/lib/moneta --shell /usr/sbin/nologin moneta \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/moneta
COPY --from=builder /out/moneta /usr/local/bin/moneta
# Settings of the README's table: listen on every interface inside the
# container (the binary's default is loopback) and keep the data dir (SQLite,
# generated secrets, raw pages of the embedded default) in a known place.
ENV MONETA_LISTEN=0.0.0.0:8000 \
    MONETA_DATA_DIR=/var/lib/moneta
WORKDIR /var/lib/moneta
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/moneta"]
CMD ["serve"]
