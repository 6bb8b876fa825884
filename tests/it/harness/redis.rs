//! Tests that need a real Redis server (not the in-process adapters).

/// `MONETA_TEST_REDIS_URL`, for a test that needs a real Redis. Without it
/// the test says on stderr that it did not run, and returns: the suite
/// needs nothing but Rust on a fresh clone. Under CI (`CI` set), where
/// `.ci/run` always sets it, a missing URL fails the test instead.
pub fn required_redis_url(test: &str) -> Option<String> {
    let url = std::env::var("MONETA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test} needs MONETA_TEST_REDIS_URL, which CI must set"
        );
        eprintln!("MONETA_TEST_REDIS_URL not set: {test} needs a real Redis and did not run");
    }
    url
}
