//! The in-memory index of list entries that the credit check reads: current list membership
//! by subject code (and by the codes of persons an entry binds), so a check never touches disk.
//!
//! Consistency with the store: every write this process makes through the API refreshes the
//! entries it wrote right after its transaction commits (before the response is sent); writes
//! made by other processes (an `xinyong import` into the same database) are picked up by
//! [`ListIndex::watch`], which polls the write counters of the list categories and reloads
//! when they moved (imports of other categories cost nothing).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDate;
use xinyong_domain::Record;
use xinyong_domain::list::{ListEntry, ListTypes};
use xinyong_store::{Store, StoreError};

#[derive(Default)]
struct Data {
    entries: HashMap<String, Arc<ListEntry>>,
    /// Subject and bound-person codes -> ids of entries that concern them.
    by_code: HashMap<String, Vec<String>>,
    generation: i64,
}

impl Data {
    fn codes(entry: &ListEntry) -> impl Iterator<Item = &str> {
        std::iter::once(entry.subject_code.as_str())
            .chain(entry.related_persons.iter().map(|p| p.code.as_str()))
    }

    fn remove(&mut self, id: &str) {
        if let Some(old) = self.entries.remove(id) {
            for code in Self::codes(&old) {
                if let Some(ids) = self.by_code.get_mut(code) {
                    ids.retain(|i| i != id);
                    if ids.is_empty() {
                        self.by_code.remove(code);
                    }
                }
            }
        }
    }

    fn insert(&mut self, entry: ListEntry) {
        self.remove(entry.id.as_str());
        let entry = Arc::new(entry);
        for code in Self::codes(&entry) {
            self.by_code
                .entry(code.to_owned())
                .or_default()
                .push(entry.id.to_string());
        }
        self.entries.insert(entry.id.to_string(), entry);
    }
}

/// Current list entries by subject; shared by every request.
pub struct ListIndex {
    list_types: Arc<ListTypes>,
    data: RwLock<Data>,
}

impl ListIndex {
    pub fn new(list_types: Arc<ListTypes>) -> ListIndex {
        ListIndex {
            list_types,
            data: RwLock::new(Data::default()),
        }
    }

    fn categories(&self) -> Vec<String> {
        self.list_types.iter().map(|t| t.category.clone()).collect()
    }

    fn entry(&self, record: &Record) -> Option<ListEntry> {
        use xinyong_domain::RecordStatus as S;
        let counts = matches!(record.status, S::Active | S::UnderObjection);
        let list_type = self.list_types.for_category(&record.category)?;
        counts.then(|| list_type.entry_of(record))
    }

    /// Rebuilds the index from the store with the entries still running on `today` (an entry
    /// that has ended never counts again unless it is changed, which refreshes it).
    pub async fn reload(&self, store: &dyn Store, today: NaiveDate) -> Result<usize, StoreError> {
        let generation = store.generation(&self.categories()).await?;
        let records = store
            .records_in_categories(&self.categories(), today)
            .await?;
        let mut data = Data {
            generation,
            ..Data::default()
        };
        for r in &records {
            if let Some(e) = self.entry(r) {
                data.insert(e);
            }
        }
        let n = data.entries.len();
        *self.write() = data;
        Ok(n)
    }

    /// Re-reads the given records after this process wrote them.
    pub async fn refresh(&self, store: &dyn Store, ids: &[String]) -> Result<(), StoreError> {
        let mut fresh = Vec::with_capacity(ids.len());
        for id in ids {
            fresh.push((id.clone(), store.record(id).await?));
        }
        let mut data = self.write();
        for (id, record) in fresh {
            match record.as_ref().and_then(|r| self.entry(r)) {
                Some(e) => data.insert(e),
                None => data.remove(&id),
            }
        }
        Ok(())
    }

    /// Whether records of this category are list entries.
    pub fn is_list_category(&self, category: &str) -> bool {
        self.list_types.for_category(category).is_some()
    }

    /// Every entry that concerns `code`, as the listed subject or as a bound person.
    pub fn entries_for(&self, code: &str) -> Vec<Arc<ListEntry>> {
        let data = self.read();
        data.by_code
            .get(code)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| data.entries.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.read().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Polls the store's write counter and reloads when another process wrote records.
    pub async fn watch(self: Arc<Self>, store: Arc<dyn Store>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let seen = self.read().generation;
            match store.generation(&self.categories()).await {
                Ok(g) if g != seen => {
                    if let Err(e) = self.reload(&*store, crate::china_today()).await {
                        tracing::warn!(error = %e, "list index reload failed");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "list index poll failed"),
            }
        }
    }

    // A poisoned lock only means a panic elsewhere while holding it; the data is plain maps
    // that every write leaves consistent, so keep serving.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Data> {
        self.data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Data> {
        self.data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
