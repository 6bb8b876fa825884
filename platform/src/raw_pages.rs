//! Raw institution pages in an object store (`object_store`): a local
//! directory in the embedded default, S3-compatible storage in a cluster.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt as _, TryStreamExt as _};
use moneta_core::error::InternalError;
use moneta_core::ports::RawPageStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};

use crate::config::Settings;

#[derive(Debug, Clone)]
pub struct ObjectStorePages {
    store: Arc<dyn ObjectStore>,
    root: Path,
}

#[derive(Debug, thiserror::Error)]
pub enum RawPagesError {
    #[error("MONETA_OBJECT_STORE_URL is not a valid URL")]
    Url(#[from] url::ParseError),
    #[error("object store")]
    Store(#[from] object_store::Error),
    #[error("cannot create the raw pages directory")]
    Io(#[from] std::io::Error),
}

impl ObjectStorePages {
    pub fn from_settings(settings: &Settings) -> Result<Self, RawPagesError> {
        match &settings.object_store_url {
            Some(raw) => {
                let url = url::Url::parse(raw)?;
                let (store, root) =
                    object_store::parse_url_opts(&url, settings.object_store_options())?;
                Ok(Self {
                    store: Arc::from(store),
                    root,
                })
            }
            None => {
                let dir = settings.data_dir.join("raw");
                std::fs::create_dir_all(&dir)?;
                Ok(Self {
                    // Deleting a user's pages also removes the folders
                    // that named them.
                    store: Arc::new(
                        LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true),
                    ),
                    root: Path::default(),
                })
            }
        }
    }

    fn location(&self, path: &str) -> Path {
        let mut location = self.root.clone();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            location = location.clone().join(part);
        }
        location
    }
}

fn failed(e: object_store::Error) -> InternalError {
    InternalError::Storage(e.to_string())
}

#[async_trait]
impl RawPageStore for ObjectStorePages {
    async fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), InternalError> {
        self.store
            .put(&self.location(path), PutPayload::from(bytes))
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn get(&self, path: &str) -> Result<Option<Vec<u8>>, InternalError> {
        match self.store.get(&self.location(path)).await {
            Ok(result) => Ok(Some(result.bytes().await.map_err(failed)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    /// Lists the folder and deletes what it lists (S3: batched
    /// `DeleteObjects`); an object already gone counts as deleted.
    async fn delete_prefix(&self, prefix: &str) -> Result<u64, InternalError> {
        let prefix = self.location(prefix);
        let listed = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .boxed();
        let deleted: Vec<Path> = self
            .store
            .delete_stream(listed)
            .or_else(|e| async move {
                match e {
                    object_store::Error::NotFound { path, .. } => Ok(Path::from(path)),
                    other => Err(other),
                }
            })
            .try_collect()
            .await
            .map_err(failed)?;
        Ok(deleted.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded default's store, under a fresh data directory.
    fn local_pages() -> (tempfile::TempDir, ObjectStorePages) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::defaults();
        settings.data_dir = dir.path().to_owned();
        let pages = ObjectStorePages::from_settings(&settings).unwrap();
        (dir, pages)
    }

    #[tokio::test]
    async fn stores_pages_under_the_data_dir() {
        let (dir, pages) = local_pages();
        pages
            .put("raw/1/2/3/0001.json", b"{}".to_vec())
            .await
            .unwrap();
        assert!(dir.path().join("raw/raw/1/2/3/0001.json").exists());
        assert_eq!(
            pages.get("raw/1/2/3/0001.json").await.unwrap(),
            Some(b"{}".to_vec())
        );
        assert_eq!(pages.get("raw/1/2/3/0002.json").await.unwrap(), None);
    }

    #[tokio::test]
    async fn deletes_one_users_folder_and_nothing_else() {
        let (dir, pages) = local_pages();
        for path in [
            "raw/1/2/3/0001.json",
            "raw/1/2/4/0001.json",
            "raw/12/2/3/0001.json",
        ] {
            pages.put(path, b"{}".to_vec()).await.unwrap();
        }
        assert_eq!(pages.delete_prefix("raw/1/").await.unwrap(), 2);
        assert_eq!(pages.get("raw/1/2/3/0001.json").await.unwrap(), None);
        assert!(!dir.path().join("raw/raw/1").exists(), "its folders go too");
        assert!(pages.get("raw/12/2/3/0001.json").await.unwrap().is_some());
        assert_eq!(pages.delete_prefix("raw/1/").await.unwrap(), 0);
    }
}
