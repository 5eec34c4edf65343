//! Group commit for credit checks: every check is durably recorded before it is answered, and
//! concurrent checks share one transaction (one fsync) instead of paying one each.

use tokio::sync::{mpsc, oneshot};
use xinyong_store::{CheckRow, Store, StoreError};

type Job = (Vec<CheckRow>, oneshot::Sender<Result<(), String>>);

/// Hands check rows to a single writer task that commits whatever has queued up together.
#[derive(Clone)]
pub struct CheckRecorder {
    tx: mpsc::Sender<Job>,
}

/// Most rows one group commit takes.
const GROUP: usize = 2000;

impl CheckRecorder {
    /// Starts the writer task on the current runtime.
    pub fn start(store: std::sync::Arc<dyn Store>) -> CheckRecorder {
        let (tx, mut rx) = mpsc::channel::<Job>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut rows = first.0;
                let mut waiting = vec![first.1];
                while rows.len() < GROUP {
                    match rx.try_recv() {
                        Ok((more, done)) => {
                            rows.extend(more);
                            waiting.push(done);
                        }
                        Err(_) => break,
                    }
                }
                let result = store.put_checks(&rows).await.map_err(|e| e.to_string());
                for done in waiting {
                    let _ = done.send(result.clone());
                }
            }
        });
        CheckRecorder { tx }
    }

    /// Records `rows`; returns once they are committed.
    pub async fn record(&self, rows: Vec<CheckRow>) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let gone = || StoreError::Unavailable("the check recorder has stopped".into());
        self.tx.send((rows, done)).await.map_err(|_| gone())?;
        match wait.await.map_err(|_| gone())? {
            Ok(()) => Ok(()),
            Err(e) => Err(StoreError::Unavailable(format!(
                "recording checks failed: {e}"
            ))),
        }
    }
}
