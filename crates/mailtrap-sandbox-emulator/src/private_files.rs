//! Files only their owner may read: the data directory (`0700`), the database and the private
//! keys (`0600`). Permissions are set when a file is made and set again on every start, so a
//! directory or file left readable by an older version (or by hand) is closed as well.
//!
//! Other systems than Unix keep their default permissions.

use std::io;
use std::path::Path;

/// Mode of the data directory and the `tls/` directory inside it.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Mode of the database and the private keys.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents, with the default mode) when missing, and makes it
/// accessible to its owner only.
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, true)
}

/// Makes an existing file readable and writable by its owner only; a missing file is fine.
pub(crate) fn restrict_file(path: &Path) -> io::Result<()> {
    match set_mode(path, false) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, dir: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = if dir { DIR_MODE } else { FILE_MODE };
    let current = std::fs::metadata(path)?.permissions();
    if current.mode() & 0o777 == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, _dir: bool) -> io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn directories_and_files_are_closed_to_others_even_when_they_exist() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);

        let file = dir.join("file");
        std::fs::write(&file, b"secret").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        restrict_file(&dir.join("missing")).unwrap();
    }
}
