//! `xinyong department`: register departments with the categories they submit, the list
//! types they manage and the professions whose people in role they register.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xinyong_domain::{Catalogue, Department};
use xinyong_store::Store;

#[derive(Subcommand)]
pub enum DepartmentCommand {
    /// Register a department, or add categories to one (idempotent).
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// A catalogue category the department may submit (repeatable).
        #[arg(long = "category")]
        categories: Vec<String>,
        /// A list type whose entries the department manages (repeatable).
        #[arg(long = "list")]
        lists: Vec<String>,
        /// A profession of the catalogue whose people in role the department registers
        /// (repeatable): `lawyer`, `doctor`, `civil_servant`...
        #[arg(long = "profession")]
        professions: Vec<String>,
    },
    /// List departments and their categories.
    List,
}

pub async fn run(
    store: &dyn Store,
    catalogue: &Catalogue,
    command: DepartmentCommand,
) -> Result<ExitCode> {
    match command {
        DepartmentCommand::Add {
            code,
            name,
            categories,
            lists,
            professions,
        } => {
            Department::check_code(&code)?;
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            for c in &categories {
                if catalogue.category(c).is_none() {
                    let known: Vec<&str> =
                        catalogue.categories.iter().map(|c| c.id.as_str()).collect();
                    bail!(
                        "--category {c}: not a category of catalogue {} (known: {})",
                        catalogue.version,
                        known.join(", ")
                    );
                }
            }
            let list_types = xinyong_domain::list::ListTypes::shipped();
            for l in &lists {
                if list_types.get(l).is_none() {
                    let known: Vec<&str> = list_types.iter().map(|t| t.id.as_str()).collect();
                    bail!("--list {l}: not a list type (known: {})", known.join(", "));
                }
            }
            for p in &professions {
                if catalogue.profession(p).is_none() {
                    let known: Vec<&str> = catalogue
                        .professions
                        .iter()
                        .map(|p| p.id.as_str())
                        .collect();
                    bail!(
                        "--profession {p}: not a profession of the catalogue (known: {})",
                        known.join(", ")
                    );
                }
            }
            store
                .put_department(&Department {
                    code: code.clone(),
                    name: name.trim().to_owned(),
                    categories: categories.into_iter().collect(),
                    lists: lists.into_iter().collect(),
                    professions: professions.into_iter().collect(),
                })
                .await?;
            let d = store
                .department(&code)
                .await?
                .context("department vanished after registration")?;
            let joined = |set: &std::collections::BTreeSet<String>, none: &str| {
                if set.is_empty() {
                    none.to_owned()
                } else {
                    set.iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            eprintln!(
                "department {} ({}) may submit: {}; manages lists: {}; registers: {}",
                d.code,
                d.name,
                joined(&d.categories, "nothing yet"),
                joined(&d.lists, "none"),
                joined(&d.professions, "no one")
            );
        }
        DepartmentCommand::List => {
            let mut out = std::io::stdout().lock();
            for d in store.departments().await? {
                let cats: Vec<&str> = d.categories.iter().map(String::as_str).collect();
                let lists: Vec<&str> = d.lists.iter().map(String::as_str).collect();
                let professions: Vec<&str> = d.professions.iter().map(String::as_str).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    d.code,
                    d.name,
                    cats.join(","),
                    lists.join(","),
                    professions.join(",")
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
