//! Writing a download to a file, chunk by chunk, with a progress bar when stderr is a
//! terminal. The file appears whole or not at all: chunks go to `<name>.part`, renamed at the
//! end (and removed on failure).

use std::path::{Path, PathBuf};

use mailtrap_sandbox::Download;
use tokio::io::AsyncWriteExt as _;

use crate::failure::{CliResult, Doing as _, Failure};
use crate::output::Out;

/// Streams `download` into `path`; returns the number of bytes written.
pub(crate) async fn save(out: Out, download: Download, path: &Path, what: &str) -> CliResult<u64> {
    let partial = partial_path(path);
    let written = write_all(out, download, &partial, path, what).await;
    match written {
        Ok(bytes) => {
            tokio::fs::rename(&partial, path)
                .await
                .map_err(|err| Failure::file("write", path, &err))?;
            Ok(bytes)
        }
        Err(failure) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Err(failure)
        }
    }
}

async fn write_all(
    out: Out,
    mut download: Download,
    partial: &Path,
    path: &Path,
    what: &str,
) -> CliResult<u64> {
    // A leftover `.part` (or a link planted under its name) is removed, and the file is
    // created new: nothing outside the directory is written through a link.
    let _ = tokio::fs::remove_file(partial).await;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(partial)
        .await
        .map_err(|err| Failure::file("create", path, &err))?;
    let bar = out.progress_bytes(download.content_length(), what.to_owned());
    let mut written: u64 = 0;
    while let Some(chunk) = download
        .chunk()
        .await
        .doing(|| format!("download {what}"))?
    {
        file.write_all(&chunk)
            .await
            .map_err(|err| Failure::file("write", path, &err))?;
        written += chunk.len() as u64;
        bar.set_position(written);
    }
    file.flush()
        .await
        .map_err(|err| Failure::file("write", path, &err))?;
    bar.finish_and_clear();
    Ok(written)
}

/// `report.eml` → `report.eml.part`, in the same directory.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(ToOwned::to_owned).unwrap_or_default();
    name.push(".part");
    path.with_file_name(name)
}
