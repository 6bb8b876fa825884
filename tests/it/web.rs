//! The web dashboard as a browser meets it: `moneta serve` answers `/`
//! with the embedded bundle under a strict CSP, hashed assets cached for
//! good, the page itself revalidated, the app's own routes answered with
//! the page, and a missing script never answered with HTML.

use std::io::Read as _;

use reqwest::header;

use crate::harness::TestApp;

const HTML: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

async fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the server answers")
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// The HTML a browser gets for `path`.
async fn page(app: &TestApp, path: &str) -> String {
    fetch(app, path, &[("accept", HTML)])
        .await
        .text()
        .await
        .expect("the page")
}

/// The `/assets/…` files `page` loads.
fn assets_of(page: &str) -> Vec<String> {
    page.split('"')
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_dashboard_is_served_at_the_root_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    let page = fetch(&app, "/", &[("accept", HTML)]).await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        header_of(&page, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    let csp = header_of(&page, header::CONTENT_SECURITY_POLICY).to_owned();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(header_of(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let etag = header_of(&page, header::ETAG).to_owned();
    let html = page.text().await.expect("the page");
    assert!(html.contains("<div id=\"root\""), "{html}");
    assert!(!html.contains("<script>"), "nothing inline: {html}");

    // The page again, unchanged: 304 without a body.
    let again = fetch(&app, "/", &[("accept", HTML), ("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);

    // Every asset it names is served, kept a year, with its own type.
    let assets = assets_of(&html);
    assert!(
        assets.iter().any(|a| a.ends_with(".js")),
        "a script: {assets:?}"
    );
    for asset in &assets {
        let served = fetch(&app, asset, &[]).await;
        assert_eq!(served.status(), 200, "{asset}");
        assert_eq!(
            header_of(&served, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        let content_type = header_of(&served, header::CONTENT_TYPE);
        if asset.ends_with(".js") {
            assert_eq!(content_type, "text/javascript; charset=utf-8");
        } else if asset.ends_with(".css") {
            assert_eq!(content_type, "text/css; charset=utf-8");
        }
    }
}

#[tokio::test]
async fn scripts_are_gzipped_for_clients_that_accept_it() {
    let app = TestApp::spawn().await;
    let html = page(&app, "/").await;
    let script = assets_of(&html)
        .into_iter()
        .find(|a| a.ends_with(".js"))
        .expect("a script");
    let plain = fetch(&app, &script, &[])
        .await
        .bytes()
        .await
        .expect("plain");
    let zipped = fetch(&app, &script, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(header_of(&zipped, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header_of(&zipped, header::VARY), "Accept-Encoding");
    let compressed = zipped.bytes().await.expect("gzipped");
    assert!(compressed.len() < plain.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut unzipped)
        .expect("valid gzip");
    assert_eq!(unzipped, plain, "the same script");
}

#[tokio::test]
async fn app_routes_get_the_page_and_missing_files_get_404() {
    let app = TestApp::spawn().await;
    let root = page(&app, "/").await;
    // A deep link typed into the address bar: the app routes it.
    let deep = fetch(&app, "/transactions", &[("accept", HTML)]).await;
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.expect("page"), root);
    // A missing script is a 404, never the page (it would run as HTML).
    let missing = fetch(&app, "/assets/index-00000000.js", &[("accept", HTML)]).await;
    assert_eq!(missing.status(), 404);
    // A client that is not a browser gets no page for an unknown path.
    assert_eq!(fetch(&app, "/no-such-file", &[]).await.status(), 404);
    // Nothing to post to; the API is untouched.
    let posted = app
        .http
        .post(format!("{}/", app.base))
        .body("x")
        .send()
        .await
        .expect("answer");
    assert_eq!(posted.status(), 405);
    let api = app.graphql("{ __typename }", serde_json::json!({})).await;
    assert_eq!(api["data"]["__typename"], "Query", "{api}");
}
