//! The one rule for files the language server reads: only files inside the workspace folders the
//! client named in `initialize` (`workspaceFolders`, else `rootUri`, else `rootPath`), after
//! resolving `..` and symbolic links. Configuration files (`.hadolint.yaml`, `.dockerignore`)
//! must be read through [`Workspace::read`]; a tidy test keeps other `lsp` code off the
//! filesystem. See `docs/security.md`.
//!
//! Documents themselves never come from disk: the server answers only for documents the client
//! opened, with the text the client sent.
//!
//! Must not know: what the files mean (the callers parse them).

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{InitializeParams, Uri};

/// A configuration file larger than this is not read (a workspace file is not trusted to be
/// small, and the server must not stall on it).
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// The workspace folders, resolved (`canonicalize`d) when the client named them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    roots: Vec<PathBuf>,
}

/// Why [`Workspace::read`] refused or failed.
#[derive(Debug)]
pub enum ReadError {
    /// The path resolves outside every workspace folder (or there are none).
    OutsideWorkspace(PathBuf),
    TooLarge(PathBuf, u64),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::OutsideWorkspace(p) => write!(
                f,
                "not reading `{}`: it is outside the workspace folders",
                p.display()
            ),
            ReadError::TooLarge(p, n) => write!(
                f,
                "not reading `{}`: {n} bytes is more than {MAX_FILE_SIZE}",
                p.display()
            ),
            ReadError::Io(p, e) => write!(f, "cannot read `{}`: {e}", p.display()),
        }
    }
}

impl Workspace {
    /// The folders as given; ones that do not exist (or are not local paths) are dropped.
    pub fn new(folders: impl IntoIterator<Item = PathBuf>) -> Workspace {
        let mut roots: Vec<PathBuf> = folders
            .into_iter()
            .filter_map(|f| std::fs::canonicalize(f).ok())
            .filter(|f| f.is_dir())
            .collect();
        roots.sort();
        roots.dedup();
        Workspace { roots }
    }

    /// The folders the client named in `initialize`: `workspaceFolders`, else the deprecated
    /// `rootUri`, else the older `rootPath`.
    #[allow(deprecated)]
    pub fn from_initialize(params: &InitializeParams) -> Workspace {
        let from_uri = |uri: &Uri| uri.to_file_path().map(|p| p.into_owned());
        let folders: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) if !folders.is_empty() => {
                folders.iter().filter_map(|f| from_uri(&f.uri)).collect()
            }
            (_, Some(root)) => from_uri(root).into_iter().collect(),
            _ => params.root_path.iter().map(PathBuf::from).collect(),
        };
        Workspace::new(folders)
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The resolved path, if `path` exists and lies inside a workspace folder (symbolic links
    /// and `..` resolved first, so neither can lead out).
    pub fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let real = std::fs::canonicalize(path).ok()?;
        self.roots
            .iter()
            .any(|root| real.starts_with(root))
            .then_some(real)
    }

    /// The first of `names` that exists in `dir`, a directory inside the workspace. The entry may
    /// still lead out (a symbolic link): [`Workspace::read`] refuses it then, with a reason the
    /// user can be shown.
    pub fn find(&self, dir: &Path, names: &[&str]) -> Option<PathBuf> {
        self.resolve(dir)?;
        names
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.symlink_metadata().is_ok_and(|m| !m.is_dir()))
    }

    /// Reads a file inside the workspace, at most [`MAX_FILE_SIZE`] bytes.
    pub fn read(&self, path: &Path) -> Result<String, ReadError> {
        let Some(real) = self.resolve(path) else {
            return Err(ReadError::OutsideWorkspace(path.to_path_buf()));
        };
        let io = |e| ReadError::Io(path.to_path_buf(), e);
        let file = std::fs::File::open(&real).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge(path.to_path_buf(), size));
        }
        let mut text = String::new();
        file.take(MAX_FILE_SIZE)
            .read_to_string(&mut text)
            .map_err(io)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use serde_json::json;

    use super::*;

    /// A fresh directory under the target dir's temp area with `inside/` and `outside/`.
    fn scratch(name: &str) -> (PathBuf, PathBuf) {
        let base = std::env::temp_dir().join(format!(
            "dockerfile-ls-workspace-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&base);
        let (inside, outside) = (base.join("inside"), base.join("outside"));
        fs::create_dir_all(inside.join("sub")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(inside.join(".hadolint.yaml"), "ignored: [DL3006]\n").unwrap();
        fs::write(outside.join(".hadolint.yaml"), "secret\n").unwrap();
        (inside, outside)
    }

    #[test]
    fn reads_inside_refuses_outside() {
        let (inside, outside) = scratch("basic");
        let ws = Workspace::new([inside.clone()]);
        assert_eq!(
            ws.read(&inside.join(".hadolint.yaml")).unwrap(),
            "ignored: [DL3006]\n"
        );
        let err = ws.read(&outside.join(".hadolint.yaml")).unwrap_err();
        assert!(matches!(err, ReadError::OutsideWorkspace(_)), "{err}");
        assert!(err.to_string().contains("outside the workspace folders"));
        // `..` does not lead out.
        let dotdot = inside.join("sub/../../outside/.hadolint.yaml");
        assert!(matches!(
            ws.read(&dotdot),
            Err(ReadError::OutsideWorkspace(_))
        ));
        // Nothing is readable without workspace folders.
        let none = Workspace::new([]);
        assert!(matches!(
            none.read(&inside.join(".hadolint.yaml")),
            Err(ReadError::OutsideWorkspace(_))
        ));
        // A missing file inside is not an error about the boundary.
        assert!(ws.resolve(&inside.join("missing")).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_workspace_is_not_followed() {
        let (inside, outside) = scratch("symlink");
        let link = inside.join("sub/.hadolint.yaml");
        std::os::unix::fs::symlink(outside.join(".hadolint.yaml"), &link).unwrap();
        let ws = Workspace::new([inside.clone()]);
        assert!(matches!(
            ws.read(&link),
            Err(ReadError::OutsideWorkspace(_))
        ));
        // A workspace folder that is itself a link is resolved, and files in it are inside.
        let alias = inside.parent().unwrap().join("alias");
        std::os::unix::fs::symlink(&inside, &alias).unwrap();
        let ws = Workspace::new([alias.clone()]);
        assert!(ws.read(&alias.join(".hadolint.yaml")).is_ok());
        assert!(ws.read(&inside.join(".hadolint.yaml")).is_ok());
    }

    #[test]
    fn find_looks_only_inside() {
        let (inside, outside) = scratch("find");
        let ws = Workspace::new([inside.clone()]);
        let names = &[".missing.yaml", ".hadolint.yaml"];
        assert_eq!(ws.find(&inside, names), Some(inside.join(".hadolint.yaml")));
        assert_eq!(
            ws.find(&outside, names),
            None,
            "not even looked for outside"
        );
        assert_eq!(
            ws.find(&inside, &["sub"]),
            None,
            "a directory is not a file"
        );
    }

    #[test]
    fn large_files_are_refused() {
        let (inside, _) = scratch("large");
        let big = inside.join("big");
        let len = usize::try_from(MAX_FILE_SIZE).unwrap() + 1;
        fs::write(&big, vec![b'a'; len]).unwrap();
        let ws = Workspace::new([inside]);
        assert!(matches!(ws.read(&big), Err(ReadError::TooLarge(_, _))));
    }

    #[test]
    fn folders_come_from_initialize() {
        let (inside, outside) = scratch("init");
        let uri = |p: &Path| Uri::from_file_path(p).unwrap().as_str().to_string();
        let params =
            |v: serde_json::Value| -> InitializeParams { serde_json::from_value(v).unwrap() };
        let ws = Workspace::from_initialize(&params(json!({
            "capabilities": {},
            "rootUri": uri(&outside),
            "workspaceFolders": [{"uri": uri(&inside), "name": "inside"}]
        })));
        assert_eq!(ws.roots(), [fs::canonicalize(&inside).unwrap()]);
        let ws = Workspace::from_initialize(&params(json!({
            "capabilities": {}, "rootUri": uri(&outside), "workspaceFolders": null
        })));
        assert_eq!(ws.roots(), [fs::canonicalize(&outside).unwrap()]);
        let ws = Workspace::from_initialize(&params(json!({
            "capabilities": {}, "rootPath": inside.to_str().unwrap()
        })));
        assert_eq!(ws.roots(), [fs::canonicalize(&inside).unwrap()]);
        let ws = Workspace::from_initialize(&params(json!({"capabilities": {}})));
        assert!(ws.roots().is_empty());
    }
}
