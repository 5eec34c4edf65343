//! Encryption at rest (issue #5): natural persons' identity numbers and the fields of
//! `restricted` records never reach the database in clear.
//!
//! - An identity number is stored as a **lookup code** (the six-digit division code, `~`, and
//!   HMAC-SHA256 of the number under the lookup key) in the column that rows are found by,
//!   and as a **sealed** copy (XChaCha20-Poly1305) in a `*_sealed` column beside it. The
//!   division stays readable because the public lists filter by region; birth date, sequence
//!   and checksum do not.
//! - A restricted record's fields are sealed into `fields_sealed`; `fields` holds `{}`.
//! - Every sealed value names its key (`xy1:<key id>:<base64 nonce‖ciphertext>`) and is bound
//!   by the AEAD's associated data to the row it belongs to (the lookup code or the record
//!   id), so a ciphertext moved to another row does not open.
//! - The same lookup key pseudonymises persons in the audit log ([`Vault::pseudonym`]).
//!
//! Keys live in a key file (TOML, mode 0600) or the `XINYONG_DATA_KEYRING` environment variable (the file's text),
//! never in the database: a backup of the database alone reveals none of these values.
//! Rotation ([`Keyring::rotate`], `xinyong keys rotate`) adds a key that new writes use and
//! re-seals stored values in small transactions while the service keeps running: a service
//! that meets a key id it does not know re-reads its key file once.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use xinyong_domain::code::SubjectCode;

/// The environment variable that may carry the whole key file's text instead of a path.
pub const KEYS_ENV: &str = "XINYONG_DATA_KEYRING";

const SEALED_PREFIX: &str = "xy1:";

/// Why keys could not be loaded or a value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("key file {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("sealed value uses key {0}, which the key file does not hold")]
    UnknownKey(u32),
    #[error(
        "sealed value does not open: not the data key file this database was written with \
         (--data-key), or the value was moved or edited in the database"
    )]
    Tampered,
    #[error("sealed value is malformed")]
    Malformed,
}

/// One data-encryption key.
#[derive(Clone, Serialize, Deserialize)]
pub struct DataKey {
    pub id: u32,
    /// Base64 of 32 random bytes.
    key: String,
    pub created_at: String,
}

/// The keys as written in the key file. `Debug` never prints key material.
#[derive(Clone, Serialize, Deserialize)]
pub struct Keyring {
    /// Base64 of the HMAC key for lookup codes and log pseudonyms. Never rotated: stored
    /// lookup codes and published log entries depend on it.
    lookup: String,
    /// Data keys, oldest first; the last one seals new values.
    keys: Vec<DataKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field(
                "key_ids",
                &self.keys.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn random_key() -> String {
    B64.encode(rand::random::<[u8; 32]>())
}

fn decode_key(b64: &str, what: &str) -> Result<[u8; 32], String> {
    let bytes = B64
        .decode(b64.trim())
        .map_err(|_| format!("{what} is not base64"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| format!("{what} is not 32 bytes"))
}

impl Keyring {
    /// Fresh random keys: one lookup key, data key 1.
    pub fn generate() -> Keyring {
        Keyring {
            lookup: random_key(),
            keys: vec![DataKey {
                id: 1,
                key: random_key(),
                created_at: chrono::Utc::now().to_rfc3339(),
            }],
        }
    }

    /// Adopts an existing lookup key (hex, as the audit log kept it before key files).
    pub fn with_lookup_hex(mut self, hex_key: &str) -> Option<Keyring> {
        let bytes = hex::decode(hex_key).ok()?;
        self.lookup = B64.encode(bytes);
        Some(self)
    }

    /// Parses and checks a key file's text.
    pub fn parse(text: &str, origin: &str) -> Result<Keyring, VaultError> {
        let bad = |reason: String| VaultError::KeyFile {
            path: origin.to_owned(),
            reason,
        };
        let ring: Keyring = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        decode_key(&ring.lookup, "lookup").map_err(bad)?;
        if ring.keys.is_empty() {
            return Err(bad("holds no data key".into()));
        }
        for k in &ring.keys {
            decode_key(&k.key, &format!("key {}", k.id)).map_err(bad)?;
        }
        Ok(ring)
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Xinyong data keys: they decrypt identity numbers and restricted fields.\n\
             # Keep this file secret, and back it up apart from the database.\n{body}"
        )
    }

    /// Adds a new data key that seals from now on; returns its id.
    pub fn rotate(&mut self) -> u32 {
        let id = self.active_id() + 1;
        self.keys.push(DataKey {
            id,
            key: random_key(),
            created_at: chrono::Utc::now().to_rfc3339(),
        });
        id
    }

    /// Drops a data key that no stored value uses any more (the caller checks that).
    pub fn retire(&mut self, id: u32) -> bool {
        if id == self.active_id() {
            return false;
        }
        let before = self.keys.len();
        self.keys.retain(|k| k.id != id);
        self.keys.len() != before
    }

    /// The id of the key that seals new values.
    pub fn active_id(&self) -> u32 {
        self.keys.last().map_or(0, |k| k.id)
    }

    /// Ids of every data key held, oldest first.
    pub fn key_ids(&self) -> Vec<u32> {
        self.keys.iter().map(|k| k.id).collect()
    }

    /// Reads a key file; `None` if it does not exist.
    pub fn read(path: &Path) -> Result<Option<Keyring>, VaultError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Keyring::parse(&text, &path.display().to_string()).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(VaultError::KeyFile {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Writes the key file atomically (a temporary file renamed over it), readable by the
    /// owner only.
    pub fn write(&self, path: &Path) -> Result<(), VaultError> {
        let fail = |e: std::io::Error| VaultError::KeyFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let tmp = path.with_extension("tmp");
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(&tmp).map_err(fail)?;
            f.write_all(self.to_text().as_bytes()).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, path).map_err(fail)
    }
}

/// Decrypted keys, ready to use.
struct Loaded {
    ring: Keyring,
    lookup: [u8; 32],
    active: u32,
    ciphers: Vec<(u32, XChaCha20Poly1305)>,
}

impl Loaded {
    fn new(ring: &Keyring) -> Result<Loaded, VaultError> {
        let bad = |reason: String| VaultError::KeyFile {
            path: "keys".into(),
            reason,
        };
        let lookup = decode_key(&ring.lookup, "lookup").map_err(bad)?;
        let mut ciphers = Vec::with_capacity(ring.keys.len());
        for k in &ring.keys {
            let bytes = decode_key(&k.key, &format!("key {}", k.id)).map_err(bad)?;
            ciphers.push((k.id, XChaCha20Poly1305::new(&Key::from(bytes))));
        }
        Ok(Loaded {
            ring: ring.clone(),
            lookup,
            active: ring.active_id(),
            ciphers,
        })
    }
}

/// What a natural person's identity number becomes in storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// The value in the column rows are found by.
    pub lookup: String,
    /// The sealed number, for persons; `None` for organisations, whose codes are public.
    pub sealed: Option<String>,
}

/// Seals and opens values with the keyring; computes lookup codes and log pseudonyms.
pub struct Vault {
    loaded: RwLock<Loaded>,
    /// Where the keys came from, to re-read after a rotation by another process.
    source: Option<PathBuf>,
    /// The keys were made by this process: nothing is sealed with them yet, so a database's
    /// older lookup key may still be adopted.
    fresh: std::sync::atomic::AtomicBool,
    /// The key file these new keys are to be written to, once a database has accepted them
    /// ([`Vault::save_new`]): a key file is created only for a new database.
    unsaved: std::sync::Mutex<Option<PathBuf>>,
    /// Keys held in memory only ([`Vault::ephemeral`]): a database opened with them records
    /// no fingerprint and is not checked against one.
    ephemeral: bool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A vault over `ring`; `source` is the key file to re-read when an unknown key id shows up.
    pub fn new(ring: &Keyring, source: Option<PathBuf>) -> Result<Vault, VaultError> {
        Ok(Vault {
            loaded: RwLock::new(Loaded::new(ring)?),
            source,
            fresh: false.into(),
            unsaved: std::sync::Mutex::new(None),
            ephemeral: false,
        })
    }

    /// Random keys held in memory only: for tests and throw-away databases.
    pub fn ephemeral() -> Vault {
        let ring = Keyring::generate();
        match Vault::new(&ring, None) {
            Ok(mut v) => {
                v.fresh.store(true, std::sync::atomic::Ordering::Relaxed);
                v.ephemeral = true;
                v
            }
            // Freshly generated keys always decode.
            Err(e) => unreachable!("generated keyring is invalid: {e}"),
        }
    }

    /// Loads the keys from `XINYONG_DATA_KEYRING` if set, else from `path`; if the file does not
    /// exist, makes fresh keys without writing them: [`Vault::save_new`] writes the file once
    /// the database has accepted them (an empty database; one sealed with other keys refuses
    /// them on open). Returns the vault and whether the keys are new.
    pub fn load_or_generate(path: &Path) -> Result<(Vault, bool), VaultError> {
        if let Ok(text) = std::env::var(KEYS_ENV) {
            let ring = Keyring::parse(&text, KEYS_ENV)?;
            return Ok((Vault::new(&ring, None)?, false));
        }
        match Keyring::read(path)? {
            Some(ring) => Ok((Vault::new(&ring, Some(path.to_owned()))?, false)),
            None => {
                let vault = Vault::new(&Keyring::generate(), Some(path.to_owned()))?;
                vault
                    .fresh
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                *vault
                    .unsaved
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(path.to_owned());
                Ok((vault, true))
            }
        }
    }

    /// Writes new keys from [`Vault::load_or_generate`] to their key file; `false` if there was
    /// nothing to write (the keys came from a file or the environment, or were written already).
    pub fn save_new(&self) -> Result<bool, VaultError> {
        let mut unsaved = self
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match unsaved.take() {
            Some(path) => {
                self.keyring().write(&path)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Whether the keys live in memory only (tests, throw-away databases).
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// Where the keys came from, for error messages: ` (PATH)`, ` (PATH, created just now)`
    /// or ` (XINYONG_DATA_KEYRING)`.
    pub fn origin(&self) -> String {
        let unsaved = self
            .unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some();
        match (&self.source, unsaved) {
            (Some(p), true) => format!(
                " ({}, not written: it would be a new key file)",
                p.display()
            ),
            (Some(p), false) => format!(" ({})", p.display()),
            (None, _) => format!(" ({KEYS_ENV})"),
        }
    }

    /// Which key set this is, as a database records it: a keyed hash of the lookup key (which
    /// rotations keep), so that it identifies the keys without revealing anything of them.
    pub fn fingerprint(&self) -> String {
        format!(
            "kf:{}",
            hex::encode(&self.mac(b"key-fingerprint\0", "")[..12])
        )
    }

    /// Loads the keys from `XINYONG_DATA_KEYRING` if set, else from `path`, creating the file with
    /// fresh keys if it does not exist. Returns the vault and whether the file was created.
    pub fn load_or_create(path: &Path) -> Result<(Vault, bool), VaultError> {
        if let Ok(text) = std::env::var(KEYS_ENV) {
            let ring = Keyring::parse(&text, KEYS_ENV)?;
            return Ok((Vault::new(&ring, None)?, false));
        }
        match Keyring::read(path)? {
            Some(ring) => Ok((Vault::new(&ring, Some(path.to_owned()))?, false)),
            None => {
                let ring = Keyring::generate();
                ring.write(path)?;
                let vault = Vault::new(&ring, Some(path.to_owned()))?;
                vault
                    .fresh
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                Ok((vault, true))
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the keys (after a rotation, or adopting a database's older lookup key).
    pub fn replace(&self, ring: &Keyring) -> Result<(), VaultError> {
        let loaded = Loaded::new(ring)?;
        *self
            .loaded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = loaded;
        Ok(())
    }

    /// The keys as they would be written to a key file.
    pub fn keyring(&self) -> Keyring {
        self.read().ring.clone()
    }

    /// Where the keys came from, if a file.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// Takes over a database's existing lookup key (hex), as the audit log stored it before
    /// keys moved to a key file, and writes it to the key file. Refused unless the keys were
    /// just created: a lookup key in use is never replaced.
    pub fn adopt_lookup_hex(&self, hex_key: &str) -> Result<(), VaultError> {
        let origin = self
            .source
            .as_ref()
            .map_or_else(|| KEYS_ENV.to_owned(), |p| p.display().to_string());
        let refuse = |reason: &str| VaultError::KeyFile {
            path: origin.clone(),
            reason: reason.to_owned(),
        };
        if !self.fresh.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(refuse(
                "the database pseudonymises persons with another lookup key: \
                 use the key file this database was created with",
            ));
        }
        let ring = self
            .keyring()
            .with_lookup_hex(hex_key)
            .ok_or_else(|| refuse("the database's lookup key is not hex"))?;
        if let Some(path) = &self.source {
            ring.write(path)?;
        }
        self.replace(&ring)
    }

    /// Re-reads the key file, if the keys came from one; `true` if it was re-read.
    fn reload(&self) -> Result<bool, VaultError> {
        let Some(path) = &self.source else {
            return Ok(false);
        };
        let Some(ring) = Keyring::read(path)? else {
            return Ok(false);
        };
        self.replace(&ring)?;
        Ok(true)
    }

    fn mac(&self, domain: &[u8], value: &str) -> [u8; 32] {
        let loaded = self.read();
        // HMAC takes keys of any length: this cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&loaded.lookup) else {
            unreachable!("HMAC rejected a 32-byte key")
        };
        mac.update(domain);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The key that signs deliveries to webhook `id`: derived, never stored (see
    /// [`crate::model::Webhook`]).
    pub fn webhook_secret(&self, id: &str) -> [u8; 32] {
        self.mac(b"webhook-secret\0", id)
    }

    /// The lookup key's raw bytes, for the audit log's pseudonyms.
    pub(crate) fn lookup_key(&self) -> [u8; 32] {
        self.read().lookup
    }

    /// The value a subject code is stored and found under: organisations' codes unchanged, a
    /// person's identity number as its division code, `~` and a keyed hash.
    pub fn lookup_code(&self, code: &str) -> String {
        match SubjectCode::parse(code) {
            Ok(SubjectCode::Citizen(id)) => {
                let n = id.as_str();
                format!(
                    "{}~{}",
                    &n[..6],
                    hex::encode(self.mac(b"subject-code\0", n))
                )
            }
            _ => code.to_owned(),
        }
    }

    /// The stored form of a record's content hash: keyed, because the plain hash covers the
    /// identity number and restricted fields and would let guesses of them be tested.
    pub fn content_key(&self, content_hash: &str) -> String {
        format!("k:{}", hex::encode(self.mac(b"content\0", content_hash)))
    }

    /// Whether a stored code is a lookup code (a person) rather than an organisation's code.
    pub fn is_lookup_code(stored: &str) -> bool {
        stored.contains('~')
    }

    /// How `code` is stored: its lookup code and, for persons, the sealed number.
    pub fn store_code(&self, code: &str) -> StoredCode {
        let lookup = self.lookup_code(code);
        let sealed = Vault::is_lookup_code(&lookup).then(|| self.seal(code, &lookup));
        StoredCode { lookup, sealed }
    }

    /// The code a stored row names: the opened sealed number for persons, else the column.
    pub fn open_code(&self, lookup: String, sealed: Option<&str>) -> Result<String, VaultError> {
        match sealed {
            Some(s) => self.open(s, &lookup),
            None if Vault::is_lookup_code(&lookup) => Err(VaultError::Malformed),
            None => Ok(lookup),
        }
    }

    /// How the public audit log names a subject (see [`crate::events::subject_label`]).
    pub fn pseudonym(&self, code: &str) -> String {
        crate::events::subject_label(&self.lookup_key(), code)
    }

    /// Encrypts `plain` under the active key, bound to `context` (e.g. the row's lookup code).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        self.seal_bytes(plain.as_bytes(), context)
    }

    /// [`Vault::seal`] for bytes that need not be text (an evidence file).
    pub fn seal_bytes(&self, plain: &[u8], context: &str) -> String {
        let loaded = self.read();
        let nonce: [u8; 24] = rand::random();
        let Some((id, cipher)) = loaded.ciphers.iter().find(|(id, _)| *id == loaded.active) else {
            unreachable!("the active key is always loaded")
        };
        let payload = Payload {
            msg: plain,
            aad: context.as_bytes(),
        };
        // Encryption fails only for messages beyond 256 GiB.
        let Ok(ct) = cipher.encrypt(&XNonce::from(nonce), payload) else {
            unreachable!("XChaCha20-Poly1305 refused to encrypt")
        };
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!("{SEALED_PREFIX}{id}:{}", B64.encode(blob))
    }

    /// The key id a sealed value names.
    pub fn key_id_of(sealed: &str) -> Result<u32, VaultError> {
        let rest = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(VaultError::Malformed)?;
        let (id, _) = rest.split_once(':').ok_or(VaultError::Malformed)?;
        id.parse().map_err(|_| VaultError::Malformed)
    }

    /// Decrypts a sealed value bound to `context`; re-reads the key file once if the value
    /// names a key this process does not hold yet (a rotation by another process).
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, VaultError> {
        String::from_utf8(self.open_bytes(sealed, context)?).map_err(|_| VaultError::Malformed)
    }

    /// [`Vault::open`] for bytes that need not be text.
    pub fn open_bytes(&self, sealed: &str, context: &str) -> Result<Vec<u8>, VaultError> {
        match self.try_open(sealed, context) {
            Err(VaultError::UnknownKey(id)) => {
                if self.reload()? {
                    self.try_open(sealed, context)
                } else {
                    Err(VaultError::UnknownKey(id))
                }
            }
            other => other,
        }
    }

    fn try_open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, VaultError> {
        let id = Vault::key_id_of(sealed)?;
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|r| r.split_once(':'))
            .map(|(_, b)| b)
            .ok_or(VaultError::Malformed)?;
        let blob = B64.decode(body).map_err(|_| VaultError::Malformed)?;
        if blob.len() < 24 {
            return Err(VaultError::Malformed);
        }
        let (nonce, ct) = blob.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| VaultError::Malformed)?;
        let loaded = self.read();
        let (_, cipher) = loaded
            .ciphers
            .iter()
            .find(|(k, _)| *k == id)
            .ok_or(VaultError::UnknownKey(id))?;
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Tampered)?;
        Ok(plain)
    }

    /// The id of the key that seals new values.
    pub fn active_id(&self) -> u32 {
        self.read().active
    }

    /// The `LIKE` pattern of values sealed under key `id`.
    pub fn sealed_with_pattern(id: u32) -> String {
        format!("{SEALED_PREFIX}{id}:%")
    }

    /// Whether `sealed` is sealed under the active key.
    pub fn is_current(&self, sealed: &str) -> bool {
        Vault::key_id_of(sealed).is_ok_and(|id| id == self.active_id())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PERSON: &str = "11010519491231002X";
    const ORG: &str = "91350100M000100Y43";

    #[test]
    fn a_sealed_value_opens_only_in_its_own_row() {
        let v = Vault::ephemeral();
        let s = v.seal("secret", "row-1");
        assert!(s.starts_with("xy1:1:"));
        assert!(!s.contains("secret"));
        assert_eq!(v.open(&s, "row-1").unwrap(), "secret");
        assert!(matches!(v.open(&s, "row-2"), Err(VaultError::Tampered)));
        // Same plaintext, different nonce: equal values are not recognisable as equal.
        assert_ne!(v.seal("secret", "row-1"), s);
    }

    #[test]
    fn identity_numbers_are_stored_as_lookup_codes_and_sealed_copies() {
        let v = Vault::ephemeral();
        let stored = v.store_code(PERSON);
        assert!(stored.lookup.starts_with("110105~"));
        assert!(!stored.lookup.contains("19491231"));
        assert_eq!(stored.lookup, v.lookup_code(PERSON), "lookups are stable");
        let sealed = stored.sealed.clone().unwrap();
        assert_eq!(v.open_code(stored.lookup, Some(&sealed)).unwrap(), PERSON);
        let org = v.store_code(ORG);
        assert_eq!(org.lookup, ORG);
        assert_eq!(org.sealed, None);
        // Another key gives another lookup code: nobody without the key can test guesses.
        assert_ne!(
            Vault::ephemeral().lookup_code(PERSON),
            v.lookup_code(PERSON)
        );
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_seals_new_ones_with_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        let (v, created) = Vault::load_or_create(&path).unwrap();
        assert!(created);
        let old = v.seal("x", "c");
        // Another process rotates the file; this vault learns the new key on first sight.
        let mut ring = Keyring::read(&path).unwrap().unwrap();
        assert_eq!(ring.rotate(), 2);
        ring.write(&path).unwrap();
        let other = Vault::new(&ring, None).unwrap();
        let new = other.seal("y", "c");
        assert_eq!(Vault::key_id_of(&new).unwrap(), 2);
        assert_eq!(v.open(&new, "c").unwrap(), "y");
        assert_eq!(v.active_id(), 2);
        assert_eq!(v.open(&old, "c").unwrap(), "x");
        assert!(!ring.retire(2), "the active key cannot be retired");
        assert!(ring.retire(1));
        assert!(matches!(
            Vault::new(&ring, None).unwrap().open(&old, "c"),
            Err(VaultError::UnknownKey(1))
        ));
    }

    #[test]
    fn key_files_are_private_and_debug_prints_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        let ring = Keyring::generate();
        ring.write(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!format!("{ring:?}").contains(&ring.lookup));
        assert!(text.contains(&ring.lookup));
        assert!(Keyring::parse("lookup = \"AA==\"\nkeys = []", "t").is_err());
    }
}
