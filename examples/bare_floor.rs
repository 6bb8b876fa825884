//! The read path's floor for `loadtest/run`, as the `read_path`
//! benchmark's: poem, one handler, one Redis GET, the stored bytes back.
//! Every POST, on any path, is answered with the bytes at `<key>` as JSON.
//!
//! `bare_floor <redis-url> <key> <listen-addr>`; prints `listening on
//! <addr>` once it accepts connections.

use anyhow::Context as _;
use fred::interfaces::KeysInterface as _;
use moneta_platform::redis::Redis;
use poem::listener::{Acceptor as _, Listener as _, TcpListener};
use poem::web::Data;
use poem::{EndpointExt as _, Response, Route, Server, handler, post};
use secrecy::SecretString;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(key), Some(listen)) = (args.next(), args.next(), args.next()) else {
        anyhow::bail!("usage: bare_floor <redis-url> <key> <listen-addr>");
    };
    let redis = Redis::connect(&SecretString::from(url), "")
        .await
        .context("connecting to Redis")?;
    let acceptor = TcpListener::bind(listen).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .context("the listener has no address")?;
    println!("listening on {addr}");
    let app = Route::new()
        .at("/*path", post(answer))
        .at("/", post(answer))
        .data((redis, key));
    Server::new_with_acceptor(acceptor).run(app).await?;
    Ok(())
}

#[handler]
async fn answer(Data(state): Data<&(Redis, String)>) -> Response {
    let (redis, key) = state;
    match redis.pool.get::<Option<Vec<u8>>, _>(key).await {
        Ok(Some(bytes)) => Response::builder()
            .content_type("application/json")
            .body(bytes),
        _ => Response::builder()
            .status(poem::http::StatusCode::INTERNAL_SERVER_ERROR)
            .finish(),
    }
}
