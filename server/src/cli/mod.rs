//! The command line: `dockerfile-ls [--stdio]` serves LSP, `dockerfile-ls check [PATH...]` lints,
//! `dockerfile-ls graph FILE` prints the stage graph.
//!
//! Owns argument parsing, logging setup and exit codes. Must not know: LSP types (that is
//! `lsp`), rule logic (that is `analysis`).

pub mod check;
pub mod debug;
pub mod findings;
pub mod graph;

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
    /// Check Dockerfiles; exits 1 if a finding is at or above `--fail-level`, 2 on usage or I/O
    /// errors
    Check {
        /// Files or directories to check (directories are searched for `Dockerfile`,
        /// `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`, `Containerfile.*`); `-`
        /// reads stdin. Default: the current directory
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value = "human")]
        format: check::Format,
        /// The lowest severity that makes the command exit 1
        #[arg(long, value_enum, default_value = "error", value_name = "LEVEL")]
        fail_level: check::FailLevel,
        /// Set a rule's level: `NAME=off|hint|info|warning|error` (names or aliases such as
        /// `DL3006`; repeatable)
        #[arg(long = "rule", value_name = "NAME=LEVEL")]
        rules: Vec<String>,
        /// Turn a rule off (repeatable)
        #[arg(long = "ignore", value_name = "NAME")]
        ignore: Vec<String>,
    },
    /// Print the stage graph: stages, images, base/copy/mount edges, the target and what is
    /// built for it
    Graph {
        /// The Dockerfile; `-` reads stdin
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The build target stage, as `docker build --target` (default: the file's
        /// `# dockerfile-ls: target=NAME` comment, else the last stage)
        #[arg(long, value_name = "NAME")]
        target: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: graph::Format,
        /// Draw the text tree with ASCII instead of box-drawing characters (the default when
        /// the locale is not UTF-8)
        #[arg(long)]
        ascii: bool,
    },
    /// Print the instructions as BuildKit's parser would report them, as JSON (for
    /// `tools/buildkit-parity`)
    #[command(hide = true)]
    DebugInstructions {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print what every rule finds (also rules that are off by default, no suppressions), as
    /// JSON (for `tools/peer-parity` and `tools/hadolint-compare`)
    #[command(hide = true)]
    DebugFindings {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print each file formatted with the default settings, as JSON (for
    /// `tools/format-parity`)
    #[command(hide = true)]
    DebugFormat {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Lower-case keywords, a blank line between stages and tab indentation (touches many
        /// more lines than the defaults)
        #[arg(long)]
        stress: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging(cli.log_file.as_ref()) {
        eprintln!("dockerfile-ls: {err:#}");
        return ExitCode::from(EXIT_USAGE);
    }
    match cli.command {
        Some(Command::Check {
            paths,
            format,
            fail_level,
            rules,
            ignore,
        }) => check::run(&check::Options {
            paths,
            format,
            fail_level,
            rules,
            ignore,
        }),
        Some(Command::Graph {
            file,
            target,
            format,
            ascii,
        }) => graph::run(&file, target.as_deref(), format, ascii),
        Some(Command::DebugInstructions { files }) => {
            print_output(&debug::instructions_json(&files));
            ExitCode::SUCCESS
        }
        Some(Command::DebugFindings { files }) => {
            print_output(&findings::findings_json(&files));
            ExitCode::SUCCESS
        }
        Some(Command::DebugFormat { files, stress }) => {
            print_output(&debug::format_json(&files, stress));
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
fn print_output(text: &str) {
    emit(&format!("{text}\n"));
}

/// Writes a subcommand's output to stdout. A reader that went away (`dockerfile-ls check |
/// head`) is not an error: the rest is dropped quietly and the exit code still tells the result.
/// Any other write error is reported on stderr.
pub(crate) fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(err) => eprintln!("dockerfile-ls: cannot write the output: {err}"),
    }
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
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
    crate::lsp::stdio::restore_blocking();
    // When stdin is neither a pipe nor a socket, tokio reads it on a blocking thread that cannot
    // be cancelled, so dropping the runtime would wait for the client to close stdin (which
    // some never do after `exit`). Leave now; the protocol output is already flushed.
    std::process::exit(if clean { 0 } else { 1 })
}
