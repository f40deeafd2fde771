//! The fuzz targets' inputs as plain tests, so `cargo test` needs no cargo fuzz: every saved
//! crash input in `server/fuzz/regressions/<target>/` (each was a crash once, and is fixed), the
//! repository's example Dockerfiles, and a sample of `../shared/corpus/real` when it exists,
//! run through the same bodies as the fuzz targets (`dockerfile_ls::fuzz`).

use std::fs;
use std::path::{Path, PathBuf};

use dockerfile_ls::fuzz;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn regressions(target: &str) -> Vec<PathBuf> {
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions")
            .join(target),
    )
}

/// Runs `body` on each file, naming the file that fails.
fn run_all(paths: &[PathBuf], body: fn(&[u8])) {
    for path in paths {
        let data = fs::read(path).expect("read input");
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{} fails", path.display());
    }
}

/// Example Dockerfiles and every 25th file of the shared corpus (skipped, saying so, when the
/// corpus is absent).
fn seeds() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = files(&root.join("examples"));
    let corpus = root.join("../shared/corpus/real");
    if corpus.is_dir() {
        let mut all = Vec::new();
        for dir in files(&corpus).into_iter().chain(
            fs::read_dir(&corpus)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .flat_map(|d| files(&d)),
        ) {
            if dir.file_name().is_some_and(|n| n != "MANIFEST.tsv") {
                all.push(dir);
            }
        }
        all.sort();
        out.extend(all.into_iter().step_by(25));
    } else {
        eprintln!("skipping corpus seeds: {} not found", corpus.display());
    }
    out
}

#[test]
fn analysis_regressions() {
    run_all(&regressions("analysis"), fuzz::analysis);
}

#[test]
fn edits_regressions() {
    run_all(&regressions("edits"), fuzz::incremental);
}

#[test]
fn lsp_regressions() {
    run_all(&regressions("lsp"), fuzz::lsp_frames);
}

#[test]
fn seeds_pass_every_target() {
    let seeds = seeds();
    assert!(!seeds.is_empty());
    run_all(&seeds, fuzz::analysis);
    run_all(&seeds, fuzz::incremental);
}
