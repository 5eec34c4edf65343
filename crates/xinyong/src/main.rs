//! `xinyong`: the one binary of the platform. A thin shell: it parses the command line, opens
//! the store and calls into the library crates.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use xinyong_domain::Catalogue;
use xinyong_domain::code::SubjectCode;
use xinyong_store::{Role, Store, Token};
use xinyong_web::limits::{ForwardedHeader, IpNet, LimitsConfig};

mod backup;
mod bench;
mod calendar;
mod database;
mod demo;
mod department;
mod grading;
mod import;
mod keys;
mod ledger;
mod operator;
mod roles;

#[derive(Parser)]
#[command(
    name = "xinyong",
    version,
    about = "Xinyong public credit information platform"
)]
struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "XINYONG_DB",
        default_value = "sqlite://xinyong.db"
    )]
    db: String,
    /// Catalogue file to use instead of the shipped one.
    #[arg(long, global = true, env = "XINYONG_CATALOGUE")]
    catalogue: Option<PathBuf>,
    /// Working-day calendar to use instead of the shipped one (a newly published year loads
    /// without a release).
    #[arg(long, global = true, env = "XINYONG_CALENDAR")]
    calendar: Option<PathBuf>,
    /// The audit log's Ed25519 signing key (32 bytes), created on first start if missing.
    #[arg(
        long,
        global = true,
        env = "XINYONG_LEDGER_KEY",
        default_value = "xinyong-ledger.key"
    )]
    ledger_key: PathBuf,
    /// The data keys that seal identity numbers and restricted fields in the database
    /// (TOML), created on first use if missing. `XINYONG_DATA_KEYRING` may carry the file's
    /// text instead.
    #[arg(
        long,
        global = true,
        env = "XINYONG_DATA_KEY",
        default_value = "xinyong-data.key"
    )]
    data_key: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the public website.
    Serve {
        #[arg(long, env = "XINYONG_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Fill an empty database with the synthetic demo data set first.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        size: demo::DemoSize,
        /// Seconds between signed tree heads of the audit log (signed only when it grew).
        #[arg(long, env = "XINYONG_STH_INTERVAL", default_value_t = 60)]
        sth_interval: u64,
        #[command(flatten)]
        limits: RateArgs,
        /// Let subjects' webhooks use http and loopback or private addresses (development only:
        /// in production a webhook must be https on a public address).
        #[arg(long, env = "XINYONG_WEBHOOK_ALLOW_LOCAL")]
        webhook_allow_local: bool,
    },
    /// Fill an empty database with a synthetic demo data set.
    Demo {
        #[command(flatten)]
        size: demo::DemoSize,
        /// Write the records as JSONL to this file instead of storing them.
        #[arg(long)]
        jsonl: Option<PathBuf>,
    },
    /// Import records from CSV or JSONL files (all or nothing per file).
    Import(import::ImportArgs),
    /// Manage departments.
    Department {
        #[command(subcommand)]
        command: department::DepartmentCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage operator accounts, which sign in with a password (POST /api/v1/sessions).
    Operator {
        #[command(subcommand)]
        command: operator::OperatorCommand,
    },
    /// Check codes: Unified Social Credit Codes and citizen identity numbers.
    Code {
        #[command(subcommand)]
        command: CodeCommand,
    },
    /// Working days: is a date one, what date is N working days later.
    Calendar {
        #[command(subcommand)]
        command: calendar::CalendarCommand,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Copy the database, consistently, while it is in use (SQLite; PostgreSQL: pg_dump).
    Backup(backup::BackupArgs),
    /// The audit log: verify it, sign its head.
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// The data keys: status, rotation, re-sealing.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Re-grade every subject with the grading models (streaming, with a progress bar).
    Evaluate(grading::EvaluateArgs),
    /// Risk-weighted random inspection draws ("double random, one public").
    Inspections {
        #[command(subcommand)]
        command: grading::InspectionsCommand,
    },
    /// People in regulated roles (lawyers, doctors, civil servants...).
    Roles {
        #[command(subcommand)]
        command: roles::RolesCommand,
    },
    /// Benchmarks, each with a baseline measured in the same run.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

/// The rate limits of `serve` (README, "Behind a reverse proxy").
#[derive(Args)]
struct RateArgs {
    /// Anonymous requests per second per client address (429 with Retry-After beyond).
    #[arg(long, env = "XINYONG_RATE_ANONYMOUS", default_value_t = LimitsConfig::default().anonymous_per_second)]
    rate_anonymous: u32,
    /// Largest burst of anonymous requests per client address.
    #[arg(long, env = "XINYONG_RATE_ANONYMOUS_BURST", default_value_t = LimitsConfig::default().anonymous_burst)]
    rate_anonymous_burst: u32,
    /// Failed authentications (invalid, expired or revoked tokens, wrong passwords) per minute
    /// per client address; then 429 until the minute ends. Valid tokens are never refused.
    #[arg(long, env = "XINYONG_RATE_FAILURES", default_value_t = LimitsConfig::default().failures_per_minute)]
    rate_failures: u32,
    /// Requests per second per valid token (instead of the address's anonymous budget).
    #[arg(long, env = "XINYONG_RATE_TOKEN", default_value_t = LimitsConfig::default().token_per_second)]
    rate_token: u32,
    /// Largest burst of requests per valid token.
    #[arg(long, env = "XINYONG_RATE_TOKEN_BURST", default_value_t = LimitsConfig::default().token_burst)]
    rate_token_burst: u32,
    /// A reverse proxy (address or CIDR block) whose report of the client's address
    /// (`--forwarded-header`) is believed; repeatable. From any other peer the header is
    /// ignored and the socket's address is the client's.
    #[arg(
        long = "trusted-proxy",
        env = "XINYONG_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpNet>,
    /// The header trusted proxies report the client in: x-forwarded-for or forwarded (RFC 7239).
    #[arg(
        long,
        env = "XINYONG_FORWARDED_HEADER",
        default_value = "x-forwarded-for"
    )]
    forwarded_header: ForwardedHeader,
}

impl RateArgs {
    fn config(self) -> LimitsConfig {
        LimitsConfig {
            anonymous_per_second: self.rate_anonymous,
            anonymous_burst: self.rate_anonymous_burst,
            failures_per_minute: self.rate_failures,
            token_per_second: self.rate_token,
            token_burst: self.rate_token_burst,
            trusted_proxies: self.trusted_proxies,
            forwarded_header: self.forwarded_header,
        }
    }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it, alone, on stdout. It is shown this once.
    Create(TokenArgs),
    /// List tokens: id, role, department, label, created, expires, state (never the secret).
    List,
    /// Revoke a token by id; it is refused from then on (servers notice within seconds).
    Revoke { id: String },
}

#[derive(Args)]
struct TokenArgs {
    /// `operator`, `department`, `service` (a licensed credit service body: authorised
    /// queries only) or `subject` (a data subject: reads its own file).
    #[arg(long)]
    role: String,
    /// The department a department token acts for.
    #[arg(long)]
    department: Option<String>,
    /// The subject a subject token acts for: its Unified Social Credit Code or citizen
    /// identity number.
    #[arg(long)]
    subject: Option<String>,
    /// A note saying what the token is for.
    #[arg(long, default_value = "")]
    label: String,
    /// Days until the token expires (default: never).
    #[arg(long)]
    expires_in_days: Option<u32>,
}

#[derive(Subcommand)]
enum CodeCommand {
    /// One line per code: CODE<TAB>valid<TAB>KIND or CODE<TAB>invalid<TAB>REASON. Reads stdin,
    /// one code per line, when no code is given. Exits 1 if any code is invalid.
    Check { codes: Vec<String> },
}

/// Starts logging to stderr: human-readable lines, coloured only on a terminal (a log file or a
/// journal gets no escape codes), or JSON lines with `XINYONG_LOG_FORMAT=json` for log
/// collectors, where no logged value can break out of its field.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("XINYONG_LOG")
        // sqlx warns about slow statements with their full text; a bulk import's
        // 1,500-placeholder statements would bury everything else in the log.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx::query=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // On a failed write the subscriber would report the failure with eprintln!, which
        // panics when stderr is a closed pipe (`xinyong … 2>&1 | head`): in a database worker
        // thread that panic left the command hanging forever.
        .log_internal_errors(false);
    if std::env::var("XINYONG_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_catalogue(path: Option<&PathBuf>) -> Result<Catalogue> {
    match path {
        None => Ok(Catalogue::shipped()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading catalogue {}", p.display()))?;
            Catalogue::from_toml_str(&text).with_context(|| format!("catalogue {}", p.display()))
        }
    }
}

/// Records in the audit log which catalogue validates what this process accepts: the
/// catalogue is a data file, so a change to it shows up as a new digest at the next start.
async fn log_catalogue(store: &dyn Store, catalogue: &Catalogue, actor: &str) -> Result<()> {
    let value = serde_json::to_value(catalogue).context("serialising the catalogue")?;
    let event = xinyong_store::ledger::LedgerEvent::new(
        xinyong_store::ledger::Event::CatalogueLoaded {
            version: &catalogue.version,
            catalogue: &value,
        },
        actor,
    );
    store
        .append_events(&[event])
        .await
        .context("logging the catalogue in force")?;
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let catalogue = load_catalogue(cli.catalogue.as_ref())?;
    let restricted = keys::restricted_categories(&catalogue);
    let open = async |db: &str, data_key: &std::path::Path| {
        Ok::<_, anyhow::Error>(database::open_keyed(db, data_key, &restricted).await?.0)
    };
    match cli.command {
        Command::Code {
            command: CodeCommand::Check { codes },
        } => code_check(codes),
        Command::Calendar { command } => {
            calendar::run(&calendar::load(cli.calendar.as_ref())?, command)
        }
        Command::Migrate => {
            open(&cli.db, &cli.data_key).await?;
            eprintln!("database {} is up to date", cli.db);
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(args) => {
            let store = open(&cli.db, &cli.data_key).await?;
            backup::run(&*store, &cli.db, args).await
        }
        Command::Keys { command } => {
            let (store, vault) = database::open_keyed(&cli.db, &cli.data_key, &restricted).await?;
            keys::run(store, vault, &catalogue, command).await
        }
        Command::Department { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            department::run(&*store, &catalogue, command).await
        }
        Command::Token { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            match command {
                TokenCommand::Create(args) => token_create(&*store, args).await,
                TokenCommand::List => token_list(&*store).await,
                TokenCommand::Revoke { id } => {
                    if store.revoke_token(&id, chrono::Utc::now()).await? {
                        eprintln!("token {id} revoked");
                        Ok(ExitCode::SUCCESS)
                    } else {
                        bail!(
                            "token {id}: no such token, or already revoked (see `xinyong token list`)"
                        )
                    }
                }
            }
        }
        Command::Operator { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            operator::run(&*store, command).await
        }
        Command::Import(args) => {
            let store = open(&cli.db, &cli.data_key).await?;
            log_catalogue(&*store, &catalogue, "import").await?;
            import::run(store, &catalogue, args).await
        }
        Command::Demo {
            size,
            jsonl: Some(path),
        } => {
            demo::write_jsonl(&catalogue, &size, &path)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { size, jsonl: None } => {
            let store = open(&cli.db, &cli.data_key).await?;
            demo::fill(&*store, &catalogue, &size).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            addr,
            demo,
            size,
            sth_interval,
            limits,
            webhook_allow_local,
        } => {
            // The port first: a server that cannot listen creates no key and no database.
            let listener =
                std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
            let calendar = calendar::load(cli.calendar.as_ref())?;
            let key = ledger::load_key(&cli.ledger_key, true)?;
            let store = open(&cli.db, &cli.data_key).await?;
            log_catalogue(&*store, &catalogue, "serve").await?;
            calendar::log(&*store, &calendar, "serve").await?;
            // A demo is graded before it is served, so that its first page shows grades.
            let mut evaluated_on = None;
            if demo {
                demo::fill(&*store, &catalogue, &size).await?;
                demo::issue_tokens(&*store, &listener.local_addr()?).await?;
                evaluated_on = Some(grading::evaluate_quietly(&*store, &catalogue).await?);
            }
            let mut state = xinyong_web::AppState::new(store, catalogue);
            state.calendar = Arc::new(calendar);
            state.webhooks.allow_local = webhook_allow_local;
            // Deadlines computed before this calendar's newest year was loaded settle now.
            let settled = xinyong_web::rights::settle_deadlines(&state)
                .await
                .map_err(|e| anyhow::anyhow!("settling provisional deadlines: {e}"))?;
            if settled > 0 {
                eprintln!(
                    "{settled} open cases had provisional deadlines recomputed with the calendar"
                );
            }
            serve(
                state,
                listener,
                key,
                sth_interval,
                limits.config(),
                evaluated_on,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ledger { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            ledger::run(store, &cli.ledger_key, command).await
        }
        Command::Evaluate(args) => {
            let store = open(&cli.db, &cli.data_key).await?;
            grading::evaluate(&*store, &catalogue, args).await
        }
        Command::Inspections { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            grading::inspections(&*store, &catalogue, command).await
        }
        Command::Roles { command } => {
            let store = open(&cli.db, &cli.data_key).await?;
            roles::run(&*store, &catalogue, command).await
        }
        Command::Bench { command } => bench::run(&catalogue, command).await,
    }
}

async fn serve(
    mut state: xinyong_web::AppState,
    listener: std::net::TcpListener,
    ledger_key: xinyong_ledger::SigningKey,
    sth_interval: u64,
    limits: LimitsConfig,
    evaluated_on: Option<chrono::NaiveDate>,
) -> Result<()> {
    state.ledger_key = Some(Arc::new(ledger_key));
    if !limits.trusted_proxies.is_empty() {
        let proxies: Vec<String> = limits
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        eprintln!(
            "client addresses from {} behind {}",
            match limits.forwarded_header {
                ForwardedHeader::XForwardedFor => "X-Forwarded-For",
                ForwardedHeader::Forwarded => "Forwarded",
            },
            proxies.join(", ")
        );
    }
    state.limits = Arc::new(xinyong_web::limits::Limits::with(limits));
    // Signed tree heads at a fixed interval, so that monitors can watch the log grow.
    let signer = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(sth_interval.max(1)));
        loop {
            every.tick().await;
            if let Err(e) = xinyong_web::ledger::sign_head(&signer).await {
                tracing::warn!("signing the audit log's tree head: {e}");
            }
            // Keeps the subjects' view of the log current without costing appends.
            if let Err(e) = signer.store.index_ledger_subjects().await {
                tracing::warn!("indexing the audit log by subject: {e}");
            }
        }
    });
    let entries = state
        .lists
        .reload(&*state.store, state.today())
        .await
        .context("loading list entries")?;
    eprintln!("{entries} current list entries loaded for credit checks");
    let graded = state
        .grades
        .reload(&*state.store)
        .await
        .context("loading stored grades")?;
    eprintln!("{graded} stored grades loaded for credit checks");
    tokio::spawn(
        state
            .grades
            .clone()
            .watch(state.store.clone(), std::time::Duration::from_secs(5)),
    );
    // Grades fade as records age: every subject is graded again once a day.
    tokio::spawn(xinyong_web::grading::evaluate_daily(
        state.clone(),
        std::time::Duration::from_secs(600),
        evaluated_on,
    ));
    // Picks up writes by other processes (e.g. `xinyong import` into the same database).
    tokio::spawn(
        state
            .lists
            .clone()
            .watch(state.store.clone(), std::time::Duration::from_secs(2)),
    );
    // Subjects' webhooks: what is new in the audit log about each, every few seconds.
    tokio::spawn(xinyong_web::notifications::deliver_forever(
        state.clone(),
        std::time::Duration::from_secs(5),
    ));
    // Objections open past their last deadline: escalated once, the subject told.
    tokio::spawn(xinyong_web::objections::escalate_forever(
        state.clone(),
        std::time::Duration::from_secs(600),
    ));
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let local = listener.local_addr()?;
    eprintln!(
        "Xinyong is serving on http://{local}/ (API under /api/v1, OpenAPI at /openapi.json)"
    );
    xinyong_web::serve(listener, state).await?;
    Ok(())
}

async fn token_create(store: &dyn Store, args: TokenArgs) -> Result<ExitCode> {
    let role = Role::parse(&args.role).with_context(|| {
        format!(
            "--role {}: expected operator, department, service or subject",
            args.role
        )
    })?;
    let department = match (role, args.department) {
        (Role::Department, Some(code)) => {
            if store.department(&code).await?.is_none() {
                bail!(
                    "--department {code}: no such department (register it with `xinyong department add`)"
                );
            }
            Some(code)
        }
        (Role::Department, None) => bail!("--role department needs --department CODE"),
        (_, Some(_)) => bail!("--department is only for department tokens"),
        (_, None) => None,
    };
    let subject = match (role, args.subject) {
        (Role::Subject, Some(code)) => {
            let code = xinyong_domain::code::SubjectCode::parse(code.trim())
                .map_err(|e| anyhow::anyhow!("--subject: {e}"))?;
            Some(code.as_str().to_owned())
        }
        (Role::Subject, None) => bail!("--role subject needs --subject CODE"),
        (_, Some(_)) => bail!("--subject is only for subject tokens"),
        (_, None) => None,
    };
    let secret = issue_token(
        store,
        role,
        department,
        subject,
        args.label,
        args.expires_in_days,
    )
    .await?;
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

/// Stores a new token (only its hash) and returns its secret, shown once.
pub async fn issue_token(
    store: &dyn Store,
    role: Role,
    department: Option<String>,
    subject: Option<String>,
    label: String,
    expires_in_days: Option<u32>,
) -> Result<String> {
    let now = chrono::Utc::now();
    let token = xinyong_web::auth::new_token();
    store
        .put_token(&Token {
            id: xinyong_store::new_id(),
            hash: token.hash.clone(),
            role,
            department,
            subject,
            label,
            created_at: now,
            expires_at: expires_in_days.map(|d| now + chrono::Duration::days(i64::from(d))),
            revoked_at: None,
        })
        .await?;
    Ok(token.secret)
}

async fn token_list(store: &dyn Store) -> Result<ExitCode> {
    let now = chrono::Utc::now();
    let mut out = std::io::stdout().lock();
    writeln!(out, "id\trole\tdepartment\tlabel\tcreated\texpires\tstate")?;
    for t in store.tokens().await? {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        };
        let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
            d.map_or_else(|| "-".to_owned(), |d| d.format("%Y-%m-%d").to_string())
        };
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{state}",
            t.id,
            t.role.as_str(),
            t.department.as_deref().unwrap_or("-"),
            t.label,
            date(Some(t.created_at)),
            date(t.expires_at)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn code_check(codes: Vec<String>) -> Result<ExitCode> {
    let mut all_valid = true;
    let mut out = std::io::stdout().lock();
    let mut check = |code: &str| -> Result<()> {
        let code = code.trim();
        match SubjectCode::parse(code) {
            Ok(c) => writeln!(out, "{code}\tvalid\t{}", c.kind_label())?,
            Err(e) => {
                all_valid = false;
                writeln!(out, "{code}\tinvalid\t{e}")?;
            }
        }
        Ok(())
    };
    if codes.is_empty() {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading stdin")?;
            if !line.trim().is_empty() {
                check(&line)?;
            }
        }
    } else {
        for c in &codes {
            check(c)?;
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
