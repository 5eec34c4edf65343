//! The pure domain of Xinyong, the public credit information platform.
//!
//! Everything here is data and functions over data: no I/O, no async, no database, no HTTP.
//! The storage crate persists these types, the web crate serves them, the binary wires them up.
//!
//! Map:
//! - [`code`]: the Unified Social Credit Code, the citizen identity number and GB/T 2260 divisions;
//!   parse, don't validate.
//! - [`catalogue`]: the whitelist of information categories, loaded from `data/catalogue/`.
//! - [`subject`]: who a record is about.
//! - [`record`]: a credit record, its validation against the catalogue and its versions.
//! - [`department`]: who may submit what.
//! - [`disclosure`]: what the public may see, computed at read time.
//! - [`mask`]: masking of personal data on every public output.
//! - [`text`]: input hygiene shared by every submission path (dates, text values, ids).
//! - [`calendar`]: working days from the State Council's holiday notices; deadlines.
//! - [`grading`]: explainable grades from published rule models (`data/grading/`).
//! - [`inspection`]: reproducible risk-weighted inspection draws.
//! - [`access`]: who may read non-public classes: purposes (`data/purposes.toml`), grants,
//!   special applications.
//! - [`report`]: reports of trust-breaking, checked and routed to the competent department.
//! - [`rights`]: objections, credit repair, minors, the subject's own grants.
//! - [`role`]: people in regulated roles (lawyers, doctors, civil servants...) and the
//!   professional records that attach to them.
//! - [`attachment`]: evidence files a subject submits with a case: accepted types, sizes.
//! - [`template`]: the national "double publicity" templates' other columns (legacy
//!   identifiers, document types): checked, not kept.
//! - [`synthetic`]: a deterministic synthetic data set for demos, tests and benchmarks.
#![forbid(unsafe_code)]

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod catalogue;
pub mod check;
pub mod code;
pub mod department;
pub mod disclosure;
pub mod grading;
pub mod ids;
pub mod inspection;
pub mod list;
pub mod mask;
pub mod measure;
pub mod record;
pub mod record_file;
pub mod report;
pub mod rights;
pub mod role;
pub mod search;
pub mod subject;
pub mod synthetic;
pub mod template;
pub mod text;

pub use catalogue::{Catalogue, Category, Disclosure, FieldSpec, FieldType, Tier};
pub use department::Department;
pub use record::{FieldError, Listing, RawRecord, Record, RecordId, RecordStatus, ValidRecord};
pub use subject::{Subject, SubjectKind};
