//! The command line: `dockerfile-ls [--stdio]` serves LSP, `dockerfile-ls check FILE...` lints.
//!
//! Owns argument parsing, logging setup and exit codes. Must not know: LSP types (that is
//! `lsp`), rule logic (that is `analysis`).

pub mod check;
pub mod debug;

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// The environment variable holding the log filter (`tracing_subscriber::EnvFilter` syntax).
pub const LOG_ENV: &str = "DOCKERFILE_LS_LOG";

/// Exit code for usage and IO errors (clap uses it for usage errors too).
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "dockerfile-ls", version, about)]
struct Cli {
    /// Serve the Language Server Protocol on stdin/stdout (also the default without a command)
    #[arg(long)]
    stdio: bool,

    /// Write logs to this file instead of stderr
    #[arg(long, value_name = "PATH", global = true)]
    log_file: Option<PathBuf>,

    /// The client's process id (vscode-languageclient passes it): the server exits when that
    /// process is gone, as it does for `processId` in `initialize`.
    #[arg(long = "clientProcessId", hide = true)]
    client_process_id: Option<u32>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the diagnostics for Dockerfiles; exits 1 if any is an error
    Check {
        /// Files to check; `-` reads stdin
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the instructions as BuildKit's parser would report them, as JSON (for
    /// `tools/buildkit-parity`)
    #[command(hide = true)]
    DebugInstructions {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging(cli.log_file.as_ref()) {
        eprintln!("dockerfile-ls: {err:#}");
        return ExitCode::from(EXIT_USAGE);
    }
    match cli.command {
        Some(Command::Check { files }) => check::run(&files),
        Some(Command::DebugInstructions { files }) => {
            print_output(&debug::instructions_json(&files));
            ExitCode::SUCCESS
        }
        None => {
            tracing::debug!(stdio = cli.stdio, client_process_id = ?cli.client_process_id, "serving LSP on stdio");
            serve(cli.client_process_id)
        }
    }
}

/// Writes a subcommand's result. Only subcommands call this: in server mode stdout carries the
/// protocol, which is why the workspace denies printing to stdout everywhere else.
#[allow(clippy::print_stdout)]
fn print_output(text: &str) {
    println!("{text}");
}

/// Logs go to stderr (or `--log-file`), never stdout: stdout carries the protocol.
fn init_logging(log_file: Option<&PathBuf>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    match log_file {
        Some(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open log file `{}`", path.display()))?;
            builder.with_writer(Mutex::new(file)).init();
        }
        None => builder.with_writer(std::io::stderr).init(),
    }
    Ok(())
}

fn serve(client_process_id: Option<u32>) -> ExitCode {
    // A panic is caught where it happens (see `lsp::panic_guard`); this puts its message in the
    // log, which may be a file, instead of raw stderr.
    std::panic::set_hook(Box::new(|info| tracing::error!("panic: {info}")));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("dockerfile-ls: cannot start the async runtime: {err}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let clean = runtime.block_on(crate::lsp::serve_stdio(client_process_id));
    tracing::info!(clean, "server stopped");
    // tokio reads stdin on a blocking thread that cannot be cancelled, so dropping the runtime
    // would wait for the client to close stdin (which some never do after `exit`). Leave now;
    // the protocol output is already flushed by the server.
    std::process::exit(if clean { 0 } else { 1 })
}
