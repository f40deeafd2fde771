//! The `dockerfile-ls` binary; everything lives in [`dockerfile_ls::cli`].

fn main() -> std::process::ExitCode {
    dockerfile_ls::cli::main()
}
