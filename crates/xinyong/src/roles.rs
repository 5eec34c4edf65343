//! `xinyong roles`: people in regulated roles from a department's register, a file at a
//! time, all or nothing per file; the same checks as `POST /api/v1/roles`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use xinyong_domain::Catalogue;
use xinyong_domain::record_file::read_role_rows;
use xinyong_domain::role::PersonInRole;
use xinyong_store::{RoleRefusal, Store};

#[derive(Subcommand)]
pub enum RolesCommand {
    /// Register the people of CSV files (columns person_code, person_name,
    /// organisation_code, profession, licence_no, since, until, or their Chinese headers:
    /// 身份证号码, 姓名, 执业机构统一社会信用代码, 职业, 执业证号, 执业起始日期, 执业终止日期),
    /// in UTF-8 or GBK. A file with a bad row stores nothing; every bad row is named.
    Import {
        /// The registering department (given the files' professions).
        #[arg(long)]
        department: String,
        /// The profession of every row of a file without a profession column.
        #[arg(long)]
        profession: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The people in roles at an organisation: id, profession, licence, since, until, name.
    List {
        #[arg(long)]
        organisation: String,
    },
}

pub async fn run(
    store: &dyn Store,
    catalogue: &Catalogue,
    command: RolesCommand,
) -> Result<ExitCode> {
    match command {
        RolesCommand::Import {
            department,
            profession,
            files,
        } => {
            let Some(department) = store.department(&department).await? else {
                bail!("--department {department}: no such department (`xinyong department add`)");
            };
            let today = xinyong_web::china_today();
            let mut failed = false;
            for path in &files {
                let name = path.display().to_string();
                let file = std::fs::File::open(path).with_context(|| format!("opening {name}"))?;
                let mut roles: Vec<(u64, PersonInRole)> = Vec::new();
                let mut bad = 0u64;
                read_role_rows(file, catalogue, profession.as_deref(), |line, row| {
                    let checked = row.and_then(|r| {
                        r.check(catalogue, &department, xinyong_store::new_id(), today)
                    });
                    match checked {
                        Ok(role) => roles.push((line, role)),
                        Err(errors) => {
                            bad += 1;
                            for e in errors {
                                let field = if e.field.is_empty() { "row" } else { &e.field };
                                eprintln!("{name}: row {line}: {field}: {}", e.message);
                            }
                        }
                    }
                })
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                if bad > 0 {
                    eprintln!("{name}: {bad} bad rows; nothing from this file was stored");
                    failed = true;
                    continue;
                }
                let batch: Vec<PersonInRole> = roles.iter().map(|(_, r)| r.clone()).collect();
                match store.register_roles(&batch).await? {
                    Ok(()) => eprintln!("{name}: {} people in roles registered", batch.len()),
                    Err((index, RoleRefusal::LicenceHeld { by })) => {
                        let line = roles.get(index).map_or(0, |(l, _)| *l);
                        eprintln!(
                            "{name}: row {line}: licence_no: held by role {by}, which is still open \
                             (end it first); nothing from this file was stored"
                        );
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        RolesCommand::List { organisation } => {
            let code = xinyong_domain::code::UnifiedCode::parse(&organisation)
                .map_err(|e| anyhow::anyhow!("--organisation: {e}"))?;
            for r in store.roles_at(code.as_str(), u32::MAX).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.profession,
                    r.licence_no,
                    r.since,
                    r.until.map(|u| u.to_string()).unwrap_or_default(),
                    r.name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
